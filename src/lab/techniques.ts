// The censor's techniques and the layer each acts on. The loopback servers and the netns router
// both read this list; docs/lab.md gives what a probe sees for each in each lab.
export const TECHNIQUES = [
  'dns_inject',     // a forged A answer arrives first, the real one after it (both reach the probe)
  'dns_nxdomain',   // the ISP resolver answers NXDOMAIN
  'dns_bogon',      // the ISP resolver answers a private address (10.10.34.36)
  'tcp_blackhole',  // packets to the site's address vanish
  'tcp_rst',        // connections to the site's address are reset
  'sni_reset',      // a ClientHello naming the site is answered with a TCP reset
  'sni_stall',      // a ClientHello naming the site is dropped: the handshake never completes
  'tls_intercept',  // the handshake completes with a certificate from a CA nobody trusts
  'http_blockpage', // a plain-HTTP request for the site gets the ISP's block page
  'http_rewrite',   // a plain-HTTP response from the site is rewritten on the way
  'throttle',       // responses from the site are rate-limited
  'down',           // not censorship: the site is down for everybody (control included)
] as const;
export type Technique = (typeof TECHNIQUES)[number];

export type Layer = 'dns' | 'tcp' | 'tls' | 'http';

export const TECHNIQUE_LAYER: Record<Technique, Layer> = {
  dns_inject: 'dns', dns_nxdomain: 'dns', dns_bogon: 'dns',
  tcp_blackhole: 'tcp', tcp_rst: 'tcp', down: 'tcp',
  sni_reset: 'tls', sni_stall: 'tls', tls_intercept: 'tls',
  http_blockpage: 'http', http_rewrite: 'http', throttle: 'http',
};

export function isTechnique(s: string): s is Technique {
  return (TECHNIQUES as readonly string[]).includes(s);
}

/** What a DNS injector forges (an address with no server behind it) and the bogon a resolver lies with. */
export const INJECTED_ADDRESS = '127.100.250.1';
export const BOGON_ADDRESS = '10.10.34.36';
/** Default rate of the `throttle` technique, in kilobits per second. */
export const DEFAULT_THROTTLE_KBPS = 1000;
