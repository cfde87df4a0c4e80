// netx: DNS, TCP, TLS and HTTP primitives with an OONI-format trace and failure classifiers.
export * from './env.js';
export * from './trace.js';
export * from './classify.js';
export * from './bogon.js';
export * from './dns.js';
export * from './tcp.js';
export * from './tls.js';
export * from './http.js';
export { headerValue } from './http1.js';
export * from './title.js';
