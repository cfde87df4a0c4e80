// The failing step of a measurement in words (issue 6, Measurement page): Vigil's verdict for an
// observation (status, layer, failure) plus the matching step of the raw test_keys (OONI ts-017
// web_connectivity, ts-018/019/020/029 IM tests, vigil_throughput) — which host, which address,
// what the control saw. Pure: data in, sentences out.
import type { Observation } from './api.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** What each OONI failure string (df-007) means, in a phrase. */
export const FAILURE_WORDS: Record<string, string> = {
  connection_refused: 'the connection was refused (a TCP RST in answer to the SYN)',
  connection_reset: 'the connection was reset (a TCP RST in the middle of the exchange)',
  generic_timeout_error: 'nothing came back before the timeout',
  eof_error: 'the other side closed the connection unexpectedly',
  host_unreachable: 'the host was unreachable',
  network_unreachable: 'the network was unreachable',
  dns_nxdomain_error: 'the resolver answered that the name does not exist (NXDOMAIN)',
  dns_no_answer: 'the resolver gave an empty answer',
  dns_bogon_error: 'the resolver answered with a private or reserved (bogon) address',
  dns_refused_error: 'the resolver refused the query',
  dns_servfail_error: 'the resolver failed (SERVFAIL)',
  dns_server_failure: 'the resolver failed (SERVFAIL)',
  ssl_invalid_hostname: 'the certificate presented is not valid for the name (interception?)',
  ssl_unknown_authority: 'the certificate presented was signed by an unknown authority (interception?)',
  ssl_invalid_certificate: 'the certificate presented is invalid',
  ssl_failed_handshake: 'the TLS handshake failed',
};

export function failureWords(f: string | null | undefined): string {
  if (!f) return 'it failed';
  if (FAILURE_WORDS[f]) return FAILURE_WORDS[f];
  if (f.startsWith('control_failure')) return `the control measurement failed (${f.replace(/^control_failure:\s*/, '')}), so the result cannot be judged`;
  if (f.startsWith('unknown_failure')) return `an unclassified error occurred (${f.replace(/^unknown_failure:\s*/, '')})`;
  return f.replace(/_/g, ' ');
}

const STATUS_WORDS: Record<string, string> = {
  ok: 'reachable',
  anomaly: 'anomaly: interference likely',
  confirmed: 'confirmed: a known block page',
  failure: 'unusable measurement',
};

export function statusWords(s: string): string {
  return STATUS_WORDS[s] ?? s;
}

function controlDns(tk: Obj): string {
  const addrs = obj(obj(tk.control).dns).addrs;
  return Array.isArray(addrs) && addrs.length ? ` The control helper, outside the network, resolved it to ${addrs.slice(0, 3).join(', ')}.` : '';
}

function dnsStep(tk: Obj, o: Observation): string {
  const qs = arr(tk.queries);
  const bad = qs.find((q) => str(q.failure)) ?? qs[0];
  const host = str(bad?.hostname) ?? o.target;
  const answers = arr(bad?.answers).map((a) => str(a.ipv4) ?? str(a.ipv6) ?? str(a.hostname)).filter(Boolean);
  const f = str(bad?.failure) ?? o.failure;
  if (f) return `Step 1, DNS: looking up ${host}, ${failureWords(f)}.${controlDns(tk)}`;
  return `Step 1, DNS: ${host} resolved to ${answers.join(', ') || 'nothing'}, which does not match what the control saw (${o.failure ?? 'inconsistent answer'}).${controlDns(tk)}`;
}

function tcpStep(tk: Obj, o: Observation): string {
  const tcs = arr(tk.tcp_connect);
  const bad = tcs.find((c) => str(obj(c.status).failure)) ?? tcs[0];
  const where = bad ? `${str(bad.ip) ?? '?'}:${bad.port ?? '?'}` : 'the platform addresses';
  const f = str(obj(bad?.status).failure) ?? o.failure;
  const n = tcs.filter((c) => str(obj(c.status).failure)).length;
  return `Step 2, TCP: connecting to ${where}${n > 1 ? ` (and ${n - 1} more address${n > 2 ? 'es' : ''})` : ''}, ${failureWords(f)}. DNS had worked; the control helper could connect.`;
}

function tlsStep(tk: Obj, o: Observation): string {
  const hs = arr(tk.tls_handshakes);
  const bad = hs.find((h) => str(h.failure)) ?? hs[0];
  const sni = str(bad?.server_name) ?? o.target;
  const addr = str(bad?.address);
  const f = str(bad?.failure) ?? o.failure;
  const hint = f === 'connection_reset' || f === 'generic_timeout_error' || f === 'eof_error'
    ? ' DNS and the TCP connection worked, so the block keys on the name sent in the TLS ClientHello (SNI filtering).'
    : ' DNS and the TCP connection worked.';
  return `Step 3, TLS: the handshake with ${addr ? `${addr}, ` : ''}SNI ${sni}: ${failureWords(f)}.${hint}`;
}

function httpStep(tk: Obj, o: Observation): string {
  const rs = arr(tk.requests);
  const bad = rs.find((r) => str(r.failure)) ?? rs[0];
  const url = str(obj(bad?.request).url) ?? o.target;
  const f = str(bad?.failure) ?? o.failure;
  if (o.status === 'confirmed') {
    return `Step 4, HTTP: fetching ${url} returned a known block page (${o.failure ?? 'fingerprint match'}) instead of the site.`;
  }
  if (f && FAILURE_WORDS[f]) return `Step 4, HTTP: fetching ${url}, ${failureWords(f)}. DNS, TCP and TLS had worked.`;
  const code = obj(bad?.response).code;
  return `Step 4, HTTP: fetching ${url} gave a different page than the control saw${typeof code === 'number' ? ` (status ${code})` : ''}${o.failure ? `: ${o.failure}` : ''}.`;
}

function throttleStep(tk: Obj): string {
  const r = tk.rate_ratio;
  const t = tk.target_rate_kbps;
  const c = tk.control_rate_kbps;
  return `Download rate: ${typeof t === 'number' ? `${t} kbit/s` : '?'} from the platform CDN against ${typeof c === 'number' ? `${c} kbit/s` : '?'} from a control endpoint on the same connection${typeof r === 'number' ? ` (ratio ${r})` : ''}: the platform is being slowed down.`;
}

/** One paragraph per observation: what Vigil concluded and, if not ok, which step failed and how. */
export function explain(raw: Record<string, unknown>, o: Observation): string {
  const tk = obj(raw.test_keys);
  if (o.status === 'ok') {
    return o.test_name === 'vigil_throughput' && typeof tk.rate_ratio === 'number'
      ? `Reachable at normal speed (rate ratio ${tk.rate_ratio} against the control).`
      : 'Every step (DNS, TCP, TLS, HTTP) worked as it did from the control: reachable.';
  }
  if (o.status === 'failure') return `This measurement could not be judged: ${failureWords(o.failure)}. It does not count as evidence either way.`;
  switch (o.layer) {
    case 'dns': return dnsStep(tk, o);
    case 'tcp': return tcpStep(tk, o);
    case 'tls': return tlsStep(tk, o);
    case 'http': return httpStep(tk, o);
    case 'throttle': return throttleStep(tk);
    default: return `Interference seen (${failureWords(o.failure)}).`;
  }
}

export type StepState = 'ok' | 'failed' | 'not reached' | 'unknown';

/** The steps of the test in order, with how far the measurement got (the verdict's layer). */
export function steps(o: Observation): Array<{ name: string; state: StepState }> {
  const names = o.test_name === 'vigil_throughput' ? ['DNS', 'TCP', 'TLS', 'Download rate']
    : o.test_name === 'web_connectivity' ? ['DNS', 'TCP', 'TLS', 'HTTP']
    : o.test_name === 'facebook_messenger' ? ['DNS', 'TCP'] : ['DNS', 'TCP', 'TLS', 'HTTP'];
  const layerIdx: Record<string, number> = { dns: 0, tcp: 1, tls: 2, http: 3, throttle: 3 };
  if (o.status === 'failure') return names.map((name) => ({ name, state: 'unknown' }));
  const at = o.status === 'ok' || o.layer === null ? names.length : Math.min(layerIdx[o.layer] ?? names.length, names.length - 1);
  return names.map((name, i) => ({ name, state: i < at ? 'ok' : i === at ? 'failed' : 'not reached' }));
}
