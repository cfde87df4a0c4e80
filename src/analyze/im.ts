// The four instant-messaging tests (ts-018 whatsapp, ts-019 facebook_messenger, ts-020 telegram,
// ts-029 signal), recomputed from their network steps rather than from the probe's summary keys
// (`*_status`, `*_blocking`), which older probes got wrong (see docs/methodology.md).
import { bool, failure, hostOf, isIp, num, obj, objs, str, type Obj } from './util.js';
import { isProbeError, layerOfFailure, ok, type Verdict } from './verdict.js';
import type { Layer } from '../model/observation.js';

interface Step { url: string | null; host: string | null; failure: string | null; hasResponse: boolean }

function steps(tk: Obj): Step[] {
  return objs(tk.requests).map((r) => {
    const url = str(obj(r.request)?.url);
    return { url, host: hostOf(url), failure: failure(r.failure), hasResponse: obj(r.response) !== null };
  });
}

function tlsState(tk: Obj, host: string | null): { failed: boolean; ok: boolean } {
  const hs = objs(tk.tls_handshakes).filter((h) => !host || str(h.server_name) === host);
  const okAny = hs.some((h) => failure(h.failure) === null);
  return { ok: okAny, failed: hs.length > 0 && !okAny };
}

function layerOf(tk: Obj, s: Step): Layer {
  const https = /^https:/i.test(s.url ?? '');
  const t = tlsState(tk, s.host);
  return layerOfFailure(s.failure!, { https, tlsFailed: t.failed, tlsOk: t.ok });
}

const LAYER_ORDER: Layer[] = ['dns', 'tcp', 'tls', 'http'];
/** The earliest layer among failed steps, with the failure seen there. */
function worst(tk: Obj, failed: Step[], target: string): Verdict {
  const withLayer = failed.map((s) => ({ s, layer: layerOf(tk, s) }));
  withLayer.sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer));
  const first = withLayer[0];
  return { target, status: 'anomaly', layer: first.layer, failure: first.s.failure, value: null };
}

function tcpCounts(tk: Obj): { ok: number; failed: number; failures: string[] } {
  let okN = 0;
  const failures: string[] = [];
  for (const c of objs(tk.tcp_connect)) {
    const st = obj(c.status);
    if (st?.success === true) okN++;
    else if (st?.success === false) failures.push(failure(st.failure) ?? 'generic_timeout_error');
  }
  return { ok: okN, failed: failures.length, failures };
}

function probeErrorIn(fs: Array<string | null>): string | null {
  return fs.find((f): f is string => f !== null && isProbeError(f)) ?? null;
}

// ---- whatsapp --------------------------------------------------------------------------------
// Endpoints (TCP to e*.whatsapp.net): anomaly only when every one failed. Registration server and
// web app: their HTTPS fetches. A completed HTTPS response is reachability, whatever its status code
// (the probe's `whatsapp_web_status: blocked` on an "unsupported browser" redirect is a known false
// positive, ooni/backend fastpath score_measurement_whatsapp).
export function analyzeWhatsapp(tk: Obj): Verdict {
  const target = 'whatsapp';
  const ss = steps(tk);
  const pe = probeErrorIn(ss.map((s) => s.failure));
  if (pe) return { target, status: 'failure', layer: null, failure: pe, value: null };
  const tcp = tcpCounts(tk);
  const failed = ss.filter((s) => s.failure && /^https:/i.test(s.url ?? ''));
  if (failed.length > 0) return worst(tk, failed, target);
  if (tcp.ok === 0 && tcp.failed > 0) return { target, status: 'anomaly', layer: 'tcp', failure: tcp.failures[0], value: null };
  if (ss.length === 0 && tcp.ok + tcp.failed === 0) return { target, status: 'failure', layer: null, failure: 'no_steps', value: null };
  return ok(target);
}

// ---- telegram --------------------------------------------------------------------------------
// Data centres: TCP connects and HTTP POSTs to their IPs; anomaly when all of either failed.
// Web: https://web.telegram.org fetch (http:// redirects to it, so its failure alone is not counted).
export function analyzeTelegram(tk: Obj): Verdict {
  const target = 'telegram';
  const ss = steps(tk);
  const pe = probeErrorIn(ss.map((s) => s.failure));
  if (pe) return { target, status: 'failure', layer: null, failure: pe, value: null };
  const tcp = tcpCounts(tk);
  if (tcp.ok === 0 && tcp.failed > 0) return { target, status: 'anomaly', layer: 'tcp', failure: tcp.failures[0], value: null };
  const dc = ss.filter((s) => s.host === null || isIp(s.host));
  if (dc.length > 0 && dc.every((s) => s.failure)) return worst(tk, dc, target);
  const web = ss.filter((s) => s.host === 'web.telegram.org' && /^https:/i.test(s.url ?? ''));
  const webFailed = web.filter((s) => s.failure);
  if (web.length > 0 && webFailed.length === web.length) return worst(tk, webFailed, target);
  if (ss.length === 0 && tcp.ok + tcp.failed === 0) return { target, status: 'failure', layer: null, failure: 'no_steps', value: null };
  return ok(target);
}

// ---- facebook_messenger ----------------------------------------------------------------------
// DNS: answers for Facebook's endpoints must lie in Facebook's AS32934 (when the probe recorded
// answer ASNs; older probes did not, then the probe's per-endpoint `*_dns_consistent` is the only
// evidence and is used). TCP: anomaly when every connect to an endpoint failed.
const FB_ASN = 32934;
export function analyzeFacebookMessenger(tk: Obj): Verdict {
  const target = 'facebook_messenger';
  const qs = objs(tk.queries);
  const failedQ = qs.find((q) => failure(q.failure) && failure(q.failure) !== 'dns_no_answer');
  if (failedQ) {
    const f = failure(failedQ.failure)!;
    if (isProbeError(f)) return { target, status: 'failure', layer: null, failure: f, value: null };
    return { target, status: 'anomaly', layer: 'dns', failure: f, value: null };
  }
  const answers = qs.flatMap((q) => objs(q.answers)).filter((a) => str(a.ipv4) || str(a.ipv6));
  const withAsn = answers.filter((a) => num(a.asn) !== null && num(a.asn)! > 0);
  if (withAsn.length > 0) {
    if (withAsn.some((a) => num(a.asn) !== FB_ASN)) return { target, status: 'anomaly', layer: 'dns', failure: 'dns_inconsistent', value: null };
  } else {
    const flags = Object.keys(tk).filter((k) => /^facebook_.*_dns_consistent$/.test(k)).map((k) => bool(tk[k]));
    if (flags.some((f) => f === false)) return { target, status: 'anomaly', layer: 'dns', failure: 'dns_inconsistent', value: null };
  }
  // TCP: group connects by IP → endpoint via DNS answers when possible
  const ipHost = new Map<string, string>();
  for (const q of qs) for (const a of objs(q.answers)) {
    const ip = str(a.ipv4) ?? str(a.ipv6);
    if (ip && str(q.hostname)) ipHost.set(ip, str(q.hostname)!);
  }
  const byHost = new Map<string, { ok: number; failures: string[] }>();
  for (const c of objs(tk.tcp_connect)) {
    const h = ipHost.get(str(c.ip) ?? '') ?? '*';
    const e = byHost.get(h) ?? { ok: 0, failures: [] };
    const st = obj(c.status);
    if (st?.success === true) e.ok++;
    else if (st?.success === false) e.failures.push(failure(st.failure) ?? 'generic_timeout_error');
    byHost.set(h, e);
  }
  for (const e of byHost.values()) if (e.ok === 0 && e.failures.length > 0) return { target, status: 'anomaly', layer: 'tcp', failure: e.failures[0], value: null };
  if (qs.length === 0 && byHost.size === 0) {
    // legacy summaries only (no steps recorded): the probe's DNS verdict above already passed
    const reach = Object.keys(tk).filter((k) => /^facebook_.*_reachable$/.test(k)).map((k) => bool(tk[k]));
    if (reach.some((r) => r === false)) return { target, status: 'anomaly', layer: 'tcp', failure: 'tcp_unreachable', value: null };
  }
  return ok(target);
}

// ---- signal ----------------------------------------------------------------------------------
// Each HTTPS fetch to Signal's servers; anomaly at the earliest failing layer. Two known probe bugs
// make a measurement `failure` instead (ooni/backend fastpath score_signal): the pinned-CA bug
// (ooni/probe#2627: test_version < 0.2.2 from 2022-10-19, <= 0.2.3 from 2023-11-07, 0.2.4 always,
// engine < 3.17.2 from 2023-05-02) and api.directory.signal.org, retired by Signal (NXDOMAIN everywhere).
const RETIRED_SIGNAL_HOSTS = new Set(['api.directory.signal.org']);
function semverLt(a: string, b: string): boolean {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0);
  return false;
}
export function signalProbeBug(testVersion: string, start: string, engineVersion: string | null): string | null {
  const day = start.slice(0, 10);
  if (testVersion === '0.2.4') return 'probe_bug: ooni/probe#2636';
  if (!semverLt('0.2.3', testVersion) && day >= '2023-11-07') return 'probe_bug: ooni/probe#2627';
  if (semverLt(testVersion, '0.2.2') && day >= '2022-10-19') return 'probe_bug: ooni/probe#2627';
  if (engineVersion && semverLt(engineVersion, '3.17.2') && day >= '2023-05-02') return 'probe_bug: ooni/backend#679';
  return null;
}
export function analyzeSignal(tk: Obj, env: { test_version: string; measurement_start_time: string; annotations?: unknown; software_name?: string }): Verdict {
  const target = 'signal';
  const ooni = !String(env.software_name ?? '').startsWith('vigil');
  const bug = ooni ? signalProbeBug(env.test_version, env.measurement_start_time, str(obj(env.annotations)?.engine_version)) : null;
  if (bug) return { target, status: 'failure', layer: null, failure: bug, value: null };
  const ss = steps(tk).filter((s) => !s.host || !RETIRED_SIGNAL_HOSTS.has(s.host));
  const pe = probeErrorIn(ss.map((s) => s.failure));
  if (pe) return { target, status: 'failure', layer: null, failure: pe, value: null };
  const failed = ss.filter((s) => s.failure);
  if (failed.length > 0) return worst(tk, failed, target);
  if (ss.length === 0) return { target, status: 'failure', layer: null, failure: 'no_steps', value: null };
  return ok(target);
}

