// web_connectivity (ts-017), both the classic v0.4 keys and v0.5 ("LTE", several resolvers,
// control per endpoint). Vigil's rules, in order (docs/methodology.md "Verdicts"):
//   1 blockpage fingerprint (DNS answer, HTTP body or header)      → confirmed
//   2 no usable control                                           → failure
//   3 DNS: system resolver failed / bogon answer / inconsistent   → anomaly dns
//   4 TCP: every connect to the site's addresses failed           → anomaly tcp
//   5 TLS: every handshake failed                                 → anomaly tls
//   6 HTTP: the fetch failed, or (plain HTTP only) differs         → anomaly http
// A step that fails for the control too makes the measurement `failure` (down everywhere: it says
// nothing about this network), never `anomaly`. Nothing is read from `blocking` or `accessible`.
import { arr, bodyText, failure, headerMap, hostOf, isBogon, isIPv6, isIp, num, obj, objs, str, type Obj } from './util.js';
import { kindOf, matchDnsAnswer, matchHttp, type Fingerprint } from './fingerprints.js';
import { isProbeError, layerOfFailure, ok, type Verdict } from './verdict.js';
import type { Layer } from '../model/observation.js';

const NON_SYSTEM_ENGINES = new Set(['udp', 'doh', 'dot', 'tcp']);
// A body no bigger than this is scanned for blockpage fingerprints even when it matches the
// control; bigger ones only when they differ (scanning 1,300 patterns over every large page would
// make analysis, not JSON parsing, the import bottleneck; blockpages are small).
const ALWAYS_SCAN_BODY = 16 * 1024;
// Body length proportion below which two pages count as different (OONI uses the same 0.7).
const BODY_PROPORTION_MIN = 0.7;
// Headers every server sends: their presence says nothing about who answered.
const COMMON_HEADERS = new Set([
  'date', 'content-type', 'server', 'cache-control', 'vary', 'set-cookie', 'location', 'expires', 'x-powered-by',
  'content-encoding', 'last-modified', 'etag', 'connection', 'content-length', 'accept-ranges', 'age', 'pragma',
  'transfer-encoding', 'keep-alive', 'content-language', 'strict-transport-security', 'alt-svc', 'via',
]);

interface Query { engine: string; type: string; failure: string | null; addrs: string[]; names: string[] }

function queries(tk: Obj): Query[] {
  return objs(tk.queries).map((q) => {
    const addrs: string[] = [];
    const names: string[] = [];
    for (const a of objs(q.answers)) {
      const ip = str(a.ipv4) ?? str(a.ipv6);
      if (ip) addrs.push(ip);
      else if (str(a.hostname)) names.push(str(a.hostname)!);
    }
    return { engine: str(q.engine) ?? 'system', type: str(q.query_type) ?? 'A', failure: failure(q.failure), addrs, names };
  });
}

function title(body: string): string | null {
  const m = /<title[^>]*>([^<]{0,512})<\/title/i.exec(body.length > 65536 ? body.slice(0, 65536) : body);
  return m ? m[1] : null;
}
const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** Cloudflare / CDN anti-bot challenges answer a probe differently from a data-centre control;
 *  OONI's docs list them as a source of false http-diff. */
export function isCdnChallenge(code: number | null, headers: Map<string, string>, body: string | null): boolean {
  if (headers.get('cf-mitigated') === 'challenge') return true;
  const server = headers.get('server') ?? '';
  if ((code === 403 || code === 503 || code === 429) && (/cloudflare|akamai|ddos-guard|sucuri/i.test(server) || headers.has('cf-ray'))) return true;
  if (body && /<title>(Just a moment\.\.\.|Attention Required! \| Cloudflare|DDoS-Guard)<\/title>/i.test(body.slice(0, 65536))) return true;
  return false;
}

export function analyzeWebConnectivity(tk: Obj, input: string, cc: string, target: string): Verdict {
  const v = (status: Verdict['status'], layer: Layer | null, fail: string | null): Verdict => ({ target, status, layer, failure: fail, value: null });
  const host = hostOf(input);
  const https = /^https:/i.test(input);
  const qs = queries(tk);
  const reqs = objs(tk.requests);
  const control = obj(tk.control);

  // ---- 1. fingerprints ----------------------------------------------------------------------
  for (const q of qs) {
    if (q.engine === 'doh') continue;   // encrypted: a censor cannot forge it
    for (const a of [...q.addrs, ...q.names]) {
      const fp = matchDnsAnswer(a);
      if (fp && kindOf(fp, cc) === 'confirming') return v('confirmed', 'dns', `blockpage: ${fp.name}`);
    }
  }
  const ctrlHttp = obj(control?.http_request);
  const ctrlHttpOk = ctrlHttp !== null && failure(ctrlHttp.failure) === null && (num(ctrlHttp.status_code) ?? 0) > 0;
  const final = reqs[0] ?? null;  // OONI lists a redirect chain last hop first
  const finalResp = obj(final?.response);
  const finalFailure = final ? failure(final.failure) : failure(tk.http_experiment_failure);
  const diff = finalResp && !finalFailure && !https ? httpDiff(finalResp, ctrlHttp) : null;
  const falsePositive: Fingerprint[] = [];
  for (const r of reqs) {
    const resp = obj(r.response);
    if (!resp) continue;
    const body = bodyText(resp.body);
    const scanBody = body !== null && (body.length <= ALWAYS_SCAN_BODY || (r === final && diff?.differs === true));
    for (const fp of matchHttp(scanBody ? body : null, headerMap(resp.headers), r === final && diff?.differs === true)) {
      const kind = kindOf(fp, cc);
      if (kind === 'confirming') return v('confirmed', 'http', `blockpage: ${fp.name}`);
      if (kind === 'false_positive' && r === final) falsePositive.push(fp);
    }
  }

  // ---- 2. control ---------------------------------------------------------------------------
  const cf = failure(tk.control_failure);
  if (cf) return v('failure', null, `control_failure: ${cf}`);
  if (!control || (!ctrlHttp && !obj(control.dns))) return v('failure', null, 'control_failure: missing');

  // ---- 3. DNS -------------------------------------------------------------------------------
  const ctrlDns = obj(control.dns);
  const ctrlDnsFailure = failure(ctrlDns?.failure);
  const ctrlAddrs = new Set(arr(ctrlDns?.addrs).filter((a): a is string => typeof a === 'string' && isIp(a)));
  let sys = qs.filter((q) => !NON_SYSTEM_ENGINES.has(q.engine));
  if (sys.length === 0) sys = qs.filter((q) => q.engine !== 'doh');
  const probeAddrs = new Set(sys.flatMap((q) => q.addrs));
  const dohAddrs = new Set(qs.filter((q) => q.engine === 'doh').flatMap((q) => q.addrs));
  const dnsFailure = sys.map((q) => q.failure).find((f) => f !== null && f !== 'dns_no_answer') ?? failure(tk.dns_experiment_failure);
  if (probeAddrs.size === 0 && dnsFailure) {
    if (isProbeError(dnsFailure)) return v('failure', null, dnsFailure);
    // the control could not resolve it either: the name does not exist anywhere
    if (ctrlDnsFailure || (ctrlAddrs.size === 0 && !ctrlHttpOk)) return v('failure', null, dnsFailure);
    return v('anomaly', 'dns', dnsFailure);
  }
  const bogons = [...probeAddrs].filter(isBogon);
  if (bogons.length > 0 && ![...ctrlAddrs].some(isBogon)) return v('anomaly', 'dns', 'dns_bogon_error');

  // addresses the probe could verify: control's, DNS-over-HTTPS answers, and any address where a
  // TLS handshake for the host succeeded with certificate verification (a lie cannot pass that)
  const tlsList = objs(tk.tls_handshakes);
  const verified = new Set<string>([...ctrlAddrs, ...dohAddrs]);
  for (const h of tlsList) {
    const addr = str(h.address);
    if (addr && failure(h.failure) === null && h.no_tls_verify !== true && (!host || str(h.server_name) === host)) verified.add(addr.replace(/^\[?([^\]]+?)\]?:\d+$/, '$1'));
  }
  const consistent = [...probeAddrs].some((a) => verified.has(a));
  const dnsInconsistent = probeAddrs.size > 0 && (ctrlDnsFailure !== null || (ctrlAddrs.size > 0 && !consistent));
  const fetchMatches = finalResp !== null && !finalFailure && (https || diff?.differs === false);
  if (dnsInconsistent && !fetchMatches) {
    // the control could not fetch the page either: a broken or non-existent site, whatever the
    // resolver said (e.g. an ISP answering for names that do not exist, to show ads)
    if (!ctrlHttpOk) return v('failure', null, `control_http: ${failure(ctrlHttp?.failure) ?? 'no response'}`);
    return v('anomaly', 'dns', 'dns_inconsistent');
  }

  // ---- 4. TCP -------------------------------------------------------------------------------
  const port = (() => { try { const u = new URL(input); return Number(u.port || (https ? 443 : 80)); } catch { return https ? 443 : 80; } })();
  const ctrlTcp = obj(control.tcp_connect);
  const tcp = objs(tk.tcp_connect)
    .map((c) => ({ ip: str(c.ip) ?? '', port: num(c.port), status: obj(c.status) }))
    .filter((c) => c.port === port && (probeAddrs.size === 0 || probeAddrs.has(c.ip) || verified.has(c.ip)))
    // a probe without IPv6 connectivity is not censorship
    .filter((c) => !(isIPv6(c.ip) && ['network_unreachable', 'host_unreachable'].includes(failure(c.status?.failure) ?? '')));
  const tcpOk = tcp.some((c) => c.status?.success === true);
  if (tcp.length > 0 && !tcpOk && !fetchMatches) {
    const f = mostCommon(tcp.map((c) => failure(c.status?.failure) ?? 'generic_timeout_error'));
    const ctrl = tcp.map((c) => obj(ctrlTcp?.[endpoint(c.ip, c.port!)]));
    const ctrlOk = ctrl.some((x) => x?.status === true) || (ctrl.every((x) => x === null) && ctrlHttpOk);
    if (isProbeError(f)) return v('failure', null, f);
    return ctrlOk ? v('anomaly', 'tcp', f) : v('failure', null, f);
  }

  // ---- 5. TLS -------------------------------------------------------------------------------
  const ctrlTls = obj(control.tls_handshake);
  const tls = https ? tlsList.filter((h) => !host || !str(h.server_name) || str(h.server_name) === host) : [];
  const tlsOk = tls.some((h) => failure(h.failure) === null);
  if (tls.length > 0 && !tlsOk && !fetchMatches) {
    const f = mostCommon(tls.map((h) => failure(h.failure)!));
    const ctrl = tls.map((h) => obj(ctrlTls?.[str(h.address) ?? '']));
    const ctrlOk = ctrl.some((x) => x?.status === true) || (ctrl.every((x) => x === null) && ctrlHttpOk);
    if (isProbeError(f)) return v('failure', null, f);
    return ctrlOk ? v('anomaly', 'tls', f) : v('failure', null, f);
  }

  // ---- 6. HTTP ------------------------------------------------------------------------------
  if (finalFailure || !finalResp) {
    const f = finalFailure ?? 'http_no_response';
    if (isProbeError(f) || /^ssl_error/.test(f)) return v('failure', null, f);
    if (!ctrlHttpOk) return v('failure', null, f);
    const tlsFailed = tls.some((h) => failure(h.failure) !== null) && !tlsOk;
    return v('anomaly', layerOfFailure(f, { https, tlsFailed, tlsOk: tlsOk || tls.length > 0 }), f);
  }
  if (https) return ok(target);     // a verified TLS channel: the page is the site's own
  if (!ctrlHttpOk) return v('failure', null, `control_http: ${failure(ctrlHttp?.failure) ?? 'no response'}`);
  if (diff?.differs) {
    const code = num(finalResp.status_code) ?? num(finalResp.code);
    if (falsePositive.length > 0 || isCdnChallenge(code, headerMap(finalResp.headers), bodyText(finalResp.body))) return ok(target);
    return v('anomaly', 'http', 'http_diff');
  }
  return ok(target);
}

function endpoint(ip: string, port: number): string {
  return isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function mostCommon(xs: string[]): string {
  const n = new Map<string, number>();
  let best = xs[0];
  for (const x of xs) {
    const c = (n.get(x) ?? 0) + 1;
    n.set(x, c);
    if (c > (n.get(best) ?? 0)) best = x;
  }
  return best;
}

/** Vigil's comparison of a plain-HTTP response with the control's: different when the status code
 *  differs (a control 5xx proves nothing), or when length, title and uncommon headers all differ. */
export function httpDiff(resp: Obj, ctrl: Obj | null): { differs: boolean } | null {
  if (!ctrl || failure(ctrl.failure)) return null;
  const code = num(resp.code) ?? num(resp.status_code);
  const ctrlCode = num(ctrl.status_code);
  if (code !== null && ctrlCode !== null && ctrlCode > 0 && ctrlCode < 500 && code !== ctrlCode) return { differs: true };
  const body = bodyText(resp.body);
  const ctrlLen = num(ctrl.body_length);
  let lengthMatch = true;
  if (body !== null && ctrlLen !== null && ctrlLen >= 0 && resp.body_is_truncated !== true) {
    const len = Buffer.byteLength(body);
    const max = Math.max(len, ctrlLen);
    lengthMatch = max === 0 || Math.min(len, ctrlLen) / max > BODY_PROPORTION_MIN;
  }
  const ctrlTitle = str(ctrl.title);
  const t = body !== null ? title(body) : null;
  const titleMatch = ctrlTitle && norm(ctrlTitle) && t !== null ? norm(t) === norm(ctrlTitle) : null;
  const ours = [...headerMap(resp.headers).keys()].filter((h) => !COMMON_HEADERS.has(h));
  const theirs = new Set([...headerMap(ctrl.headers).keys()].filter((h) => !COMMON_HEADERS.has(h)));
  // no uncommon header on either side is no evidence either way
  const headersMatch = ours.length === 0 || theirs.size === 0 ? null : ours.some((h) => theirs.has(h));
  return { differs: !lengthMatch && titleMatch !== true && headersMatch !== true };
}
