// OONI's failure strings (df-007-errors), the vocabulary every network step records its
// failures in. Failures are data: a step that fails returns one of these, it never throws.
export const FAILURES = [
  'connection_refused',
  'connection_reset',
  'generic_timeout_error',
  'eof_error',
  'host_unreachable',
  'network_unreachable',
  'dns_nxdomain_error',
  'dns_no_answer',
  'dns_bogon_error',
  'dns_refused_error',
  'dns_servfail_error',
  'ssl_invalid_hostname',
  'ssl_unknown_authority',
  'ssl_invalid_certificate',
  'ssl_failed_handshake',
] as const;

export type KnownFailure = (typeof FAILURES)[number];
/** A df-007 string, or `unknown_failure: <detail>` for anything the classifiers do not know. */
export type Failure = KnownFailure | `unknown_failure: ${string}`;

const known = new Set<string>(FAILURES);

export function isKnownFailure(s: string): s is KnownFailure {
  return known.has(s);
}

export function unknownFailure(detail: string): Failure {
  return `unknown_failure: ${detail.replace(/\s+/g, ' ').slice(0, 200)}`;
}
