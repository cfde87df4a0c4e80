// One classifier per layer: Node's error codes → OONI's df-007 failure strings (DESIGN.md §2).
// Vigil's own step errors (timeouts, EOF, caps) carry codes starting with VIGIL_ so they map the
// same way. The layer matters: a reset during the TLS handshake is connection_reset, a FIN there
// is eof_error, and ENOTFOUND only means NXDOMAIN at the DNS layer.
import { unknownFailure, type Failure } from '../model/failures.js';

export type Layer = 'dns' | 'tcp' | 'tls' | 'http';

/** An error raised by netx itself, with a code the classifiers know. */
export class NetError extends Error {
  readonly code: string;
  constructor(code: string, message?: string) {
    super(message ?? code);
    this.code = code;
    this.name = 'NetError';
  }
}

const COMMON: Record<string, Failure> = {
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  ECONNABORTED: 'connection_reset',
  ETIMEDOUT: 'generic_timeout_error',
  ETIMEOUT: 'generic_timeout_error', // c-ares spelling
  VIGIL_TIMEOUT: 'generic_timeout_error',
  EHOSTUNREACH: 'host_unreachable',
  EHOSTDOWN: 'host_unreachable',
  ENETUNREACH: 'network_unreachable',
  ENETDOWN: 'network_unreachable',
  VIGIL_EOF: 'eof_error',
};

const DNS: Record<string, Failure> = {
  ENOTFOUND: 'dns_nxdomain_error', // getaddrinfo EAI_NONAME (and EAI_NODATA: Node folds both)
  VIGIL_NXDOMAIN: 'dns_nxdomain_error',
  ENODATA: 'dns_no_answer',
  VIGIL_NO_ANSWER: 'dns_no_answer',
  ESERVFAIL: 'dns_servfail_error',
  VIGIL_SERVFAIL: 'dns_servfail_error',
  // getaddrinfo's EAI_AGAIN is how an upstream SERVFAIL (or no reply) reaches the system resolver
  EAI_AGAIN: 'dns_servfail_error',
  EREFUSED: 'dns_refused_error',
  VIGIL_REFUSED: 'dns_refused_error',
  VIGIL_BOGON: 'dns_bogon_error',
};

const TLS: Record<string, Failure> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'ssl_invalid_hostname',
  HOSTNAME_MISMATCH: 'ssl_invalid_hostname',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'ssl_unknown_authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'ssl_unknown_authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'ssl_unknown_authority',
  UNABLE_TO_GET_ISSUER_CERT: 'ssl_unknown_authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'ssl_unknown_authority',
  CERT_UNTRUSTED: 'ssl_unknown_authority',
  CERT_HAS_EXPIRED: 'ssl_invalid_certificate',
  CERT_NOT_YET_VALID: 'ssl_invalid_certificate',
  CERT_REVOKED: 'ssl_invalid_certificate',
  CERT_REJECTED: 'ssl_invalid_certificate',
  CERT_SIGNATURE_FAILURE: 'ssl_invalid_certificate',
  CERT_CHAIN_TOO_LONG: 'ssl_invalid_certificate',
  INVALID_CA: 'ssl_invalid_certificate',
  INVALID_PURPOSE: 'ssl_invalid_certificate',
  PATH_LENGTH_EXCEEDED: 'ssl_invalid_certificate',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'ssl_invalid_certificate',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'ssl_invalid_certificate',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'ssl_invalid_certificate',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'ssl_invalid_certificate',
  EPROTO: 'ssl_failed_handshake',
  ERR_SSL_WRONG_VERSION_NUMBER: 'ssl_failed_handshake',
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'ssl_failed_handshake',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'ssl_failed_handshake',
  VIGIL_TLS_HANDSHAKE: 'ssl_failed_handshake',
};

const HTTP: Record<string, Failure> = {
  HPE_HEADER_OVERFLOW: unknownFailure('http_headers_too_large'),
  VIGIL_HEADERS_TOO_LARGE: unknownFailure('http_headers_too_large'),
  VIGIL_BAD_RESPONSE: unknownFailure('http_invalid_response'),
  VIGIL_TOO_MANY_REDIRECTS: unknownFailure('stopped_after_10_redirects'),
  VIGIL_BAD_REDIRECT: unknownFailure('http_invalid_redirect_location'),
  VIGIL_UNSUPPORTED_SCHEME: unknownFailure('http_unsupported_scheme'),
};

function parts(e: unknown): { code: string; message: string } {
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown };
    return { code: typeof o.code === 'string' ? o.code : '', message: typeof o.message === 'string' ? o.message : String(e) };
  }
  return { code: '', message: String(e) };
}

export function classify(layer: Layer, e: unknown): Failure {
  const { code, message } = parts(e);
  if (layer === 'dns' && code in DNS) return DNS[code];
  if (layer === 'tls' || layer === 'http') {
    // Node reports a FIN during the handshake as ECONNRESET with this message: it is an EOF.
    if (/disconnected before secure TLS connection/i.test(message)) return 'eof_error';
    if (code in TLS) return TLS[code];
    if (code.startsWith('ERR_SSL_') || /ssl3?_[a-z_]*alert|handshake failure|wrong version number/i.test(message)) return 'ssl_failed_handshake';
  }
  if (layer === 'http') {
    if (code in HTTP) return HTTP[code];
    // node:http says "socket hang up" (code ECONNRESET) when the server closed without a response
    if (/socket hang up/i.test(message)) return 'eof_error';
  }
  if (code in COMMON) return COMMON[code];
  if (/timed? ?out/i.test(message)) return 'generic_timeout_error';
  return unknownFailure(code ? `${code}: ${message}` : message);
}

export const classifyDns = (e: unknown): Failure => classify('dns', e);
export const classifyTcp = (e: unknown): Failure => classify('tcp', e);
export const classifyTls = (e: unknown): Failure => classify('tls', e);
export const classifyHttp = (e: unknown): Failure => classify('http', e);
