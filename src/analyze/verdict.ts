// The shape every test analyzer returns before the envelope fields are added, and the map from a
// df-007 failure string to the layer where it happened.
import type { Layer, Status } from '../model/observation.js';

export interface Verdict {
  target: string;
  status: Status;
  layer: Layer | null;
  failure: string | null;
  value: number | null;
}

export const ok = (target: string, value: number | null = null): Verdict => ({ target, status: 'ok', layer: null, failure: null, value });

/** Failures that mean the probe itself broke (a bug, not the network): OONI's `unknown_failure ...`
 *  and the legacy Python probe's decoding errors (ooni/backend#351). */
export function isProbeError(f: string): boolean {
  return f.startsWith('unknown_failure') || f.includes("codec can't decode") || f === 'unknown_error';
}

/** Layer of a failure string by its class (df-007). `https` decides where a reset or a timeout
 *  without other evidence belongs: during an HTTPS fetch the first bytes exchanged are the TLS
 *  ClientHello, which is where SNI filtering acts. */
export function layerOfFailure(f: string, opts: { https?: boolean; tlsFailed?: boolean; tlsOk?: boolean } = {}): Layer {
  if (f.startsWith('dns_') || f === 'android_dns_cache_no_data' || f.includes('dns_lookup')) return 'dns';
  if (f.startsWith('ssl_') || f.startsWith('tls_')) return 'tls';
  if (f === 'connection_refused' || f === 'host_unreachable' || f === 'network_unreachable' || f === 'connect_error') return 'tcp';
  if (opts.tlsFailed) return 'tls';
  if (opts.https && !opts.tlsOk && (f === 'connection_reset' || f === 'eof_error' || f === 'generic_timeout_error')) return 'tls';
  return 'http';
}
