// Seeded scenario generator for the evaluation (docs/evaluation.md): a country's probes measuring
// every 5 minutes, with injected events (platform blocks by DNS, TCP, TLS and HTTP, a national
// outage with collapsing volume and late uploads, throttling, two blocks of one platform hours
// apart) and noise (random failures, a flaky probe, probe churn, time-of-day volume, one lying
// probe, short blips). Two outputs of one simulation: Observations directly (fast, for the scorer)
// and full OONI envelopes (for `vigil import ooni FILE && vigil detect`); a test checks that
// src/analyze classifies every envelope kind as the direct observation says.
import { mulberry32 } from '../../model/rng.js';
import type { Observation, Status, Layer } from '../../model/observation.js';
import type { Incident, IncidentKind } from '../../model/incident.js';
import { isoSeconds } from '../../model/time.js';
import { incidentId, summarize } from '../summary.js';
import { binOf } from '../series.js';
import { buildEnvelope, type Outcome } from './envelopes.js';

export type Technique = 'dns' | 'tcp' | 'tls' | 'http' | 'outage' | 'throttle';

export interface EventSpec {
  technique: Technique;
  asns: number[];
  /** platform ids / hostnames; [] for an outage */
  targets: string[];
  start: number;
  end: number;
  /** outage: the probes keep measuring and upload after the end (true) or stay silent (false) */
  lateUpload?: boolean;
}

export interface GenNetwork {
  asn: number;
  name: string;
  probes: number;
}

export interface GenOptions {
  seed: number;
  /** Unix s; default 2020-01-06T00:00Z plus a seed-dependent number of days */
  start?: number;
  days?: number;
  cc?: string;
  networks?: GenNetwork[];
  intervalSeconds?: number;
  /** 'default': the standard mix of events; 'none': noise only */
  events?: 'default' | 'none' | EventSpec[];
  /** include the lying probe (default true) */
  liar?: boolean;
}

/** One measurement as the generator knows it; observation i and spec i describe the same one. */
export interface MeasurementSpec {
  outcome: Outcome;
  input: string | null;
  report_id: string;
  ratio: number | null;
}

export interface Scenario {
  seed: number;
  cc: string;
  start: number;
  end: number;
  networks: GenNetwork[];
  events: EventSpec[];
  /** the ground truth, in the incident shape (DESIGN.md §6 scenario.json) */
  truth: Incident[];
  /** sorted by t */
  observations: Observation[];
  /** when each observation reaches the collector (Unix s): late uploads after an outage */
  arrival: number[];
  specs: MeasurementSpec[];
}

// ---- randomness -----------------------------------------------------------------------------
export function rng(seed: number): () => number {
  return mulberry32((seed * 2654435761) >>> 0 || 1);
}
const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)];
const uniform = (r: () => number, a: number, b: number) => a + (b - a) * r();
const hex8 = (r: () => number) => Math.floor(r() * 4294967296).toString(16).padStart(8, '0');
const hex = (r: () => number, n: number) => (hex8(r) + hex8(r)).slice(0, n);

// ---- what the probes measure ----------------------------------------------------------------
export interface GenTarget {
  test_name: string;
  input: string | null;
  target: string;
}

export const GEN_TARGETS: GenTarget[] = [
  { test_name: 'web_connectivity', input: 'https://twitter.com/', target: 'twitter' },
  { test_name: 'web_connectivity', input: 'https://www.instagram.com/', target: 'instagram' },
  { test_name: 'web_connectivity', input: 'https://www.youtube.com/', target: 'youtube' },
  { test_name: 'web_connectivity', input: 'https://www.facebook.com/', target: 'facebook' },
  { test_name: 'web_connectivity', input: 'https://www.tiktok.com/', target: 'tiktok' },
  { test_name: 'web_connectivity', input: 'https://www.wikipedia.org/', target: 'wikipedia.org' },
  { test_name: 'web_connectivity', input: 'https://www.bbc.com/', target: 'bbc.com' },
  { test_name: 'web_connectivity', input: 'https://www.eluniversal.com/', target: 'eluniversal.com' },
  { test_name: 'whatsapp', input: null, target: 'whatsapp' },
  { test_name: 'telegram', input: null, target: 'telegram' },
  { test_name: 'signal', input: null, target: 'signal' },
  { test_name: 'facebook_messenger', input: null, target: 'facebook_messenger' },
  { test_name: 'vigil_throughput', input: 'https://rr1---sn-vigil.googlevideo.com/videoplayback', target: 'youtube' },
];

export const DEFAULT_NETWORKS: GenNetwork[] = [
  { asn: 8048, name: 'CANTV', probes: 8 },
  { asn: 6306, name: 'Movistar', probes: 7 },
  { asn: 264731, name: 'Digitel', probes: 6 },
];

/** The (status, layer) the analyzer gives each outcome: the direct observations use this table. */
export const OUTCOME_VERDICT: Record<string, { status: Status; layer: Layer | null; failure: string | null }> = {
  'web_connectivity:ok': { status: 'ok', layer: null, failure: null },
  'web_connectivity:dns': { status: 'anomaly', layer: 'dns', failure: 'dns_nxdomain_error' },
  'web_connectivity:tcp': { status: 'anomaly', layer: 'tcp', failure: 'generic_timeout_error' },
  'web_connectivity:tls': { status: 'anomaly', layer: 'tls', failure: 'connection_reset' },
  'web_connectivity:http': { status: 'anomaly', layer: 'http', failure: 'connection_reset' },
  'web_connectivity:control_failure': { status: 'failure', layer: null, failure: 'control_failure: generic_timeout_error' },
  'web_connectivity:offline': { status: 'failure', layer: null, failure: 'control_failure: generic_timeout_error' },
  'im:ok': { status: 'ok', layer: null, failure: null },
  'im:dns': { status: 'anomaly', layer: 'dns', failure: 'dns_nxdomain_error' },
  'im:tcp': { status: 'anomaly', layer: 'tcp', failure: 'generic_timeout_error' },
  'im:tls': { status: 'anomaly', layer: 'tls', failure: 'connection_reset' },
  'im:http': { status: 'anomaly', layer: 'tls', failure: 'connection_reset' },
  'im:control_failure': { status: 'anomaly', layer: 'tcp', failure: 'generic_timeout_error' },
  'im:offline': { status: 'anomaly', layer: 'dns', failure: 'dns_server_failure' },
  // per-test exceptions: Signal's failed HTTPS fetch after a TCP timeout counts at TLS (the first
  // bytes of an HTTPS exchange); Messenger's test has no TLS step, so a TLS block does not show
  'signal:tcp': { status: 'anomaly', layer: 'tls', failure: 'generic_timeout_error' },
  'whatsapp:tcp': { status: 'anomaly', layer: 'tls', failure: 'generic_timeout_error' },
  'whatsapp:control_failure': { status: 'anomaly', layer: 'tls', failure: 'generic_timeout_error' },
  'signal:control_failure': { status: 'anomaly', layer: 'tls', failure: 'generic_timeout_error' },
  'facebook_messenger:tls': { status: 'ok', layer: null, failure: null },
  'facebook_messenger:http': { status: 'ok', layer: null, failure: null },
  'vigil_throughput:ok': { status: 'ok', layer: null, failure: null },
  'vigil_throughput:throttle': { status: 'anomaly', layer: 'throttle', failure: null },
  'vigil_throughput:dns': { status: 'anomaly', layer: 'dns', failure: 'dns_nxdomain_error' },
  'vigil_throughput:tcp': { status: 'anomaly', layer: 'tcp', failure: 'connection_refused' },
  'vigil_throughput:tls': { status: 'anomaly', layer: 'tls', failure: 'connection_reset' },
  'vigil_throughput:http': { status: 'anomaly', layer: 'tls', failure: 'connection_reset' },
  'vigil_throughput:control_failure': { status: 'failure', layer: null, failure: 'generic_timeout_error' },
  'vigil_throughput:offline': { status: 'failure', layer: null, failure: 'generic_timeout_error' },
};

export function verdictKey(test: string, outcome: Outcome): string {
  const fam = test === 'web_connectivity' || test === 'vigil_throughput' ? test : 'im';
  const o = test === 'vigil_throughput' && outcome === 'throttle' ? 'throttle' : outcome === 'throttle' ? 'ok' : outcome;
  return OUTCOME_VERDICT[`${test}:${o}`] ? `${test}:${o}` : `${fam}:${o}`;
}

const LAYER_OF: Record<Technique, string> = { dns: 'dns', tcp: 'tcp', tls: 'tls', http: 'http', outage: 'dns', throttle: 'throttle' };

/** Local hour activity (Venezuela, UTC−4): phones and laptops measure less at night. */
function activity(t: number): number {
  const h = (((t / 3600 - 4) % 24) + 24) % 24;
  return 0.3 + 0.7 * Math.max(0, Math.sin(((h - 6) / 18) * Math.PI));
}

function defaultEvents(r: () => number, nets: GenNetwork[], start: number, end: number): EventSpec[] {
  const [a, b, c] = [nets[0].asn, nets[Math.min(1, nets.length - 1)].asn, nets[Math.min(2, nets.length - 1)].asn];
  const kinds: Array<Omit<EventSpec, 'start' | 'end'> & { dur: [number, number] }> = [
    { technique: 'dns', asns: [a], targets: ['instagram', 'twitter'], dur: [40, 180] },
    { technique: 'tcp', asns: [b], targets: ['telegram', 'whatsapp'], dur: [40, 180] },
    { technique: 'tls', asns: [a], targets: ['instagram', 'tiktok', 'twitter', 'youtube'], dur: [40, 240] },
    { technique: 'outage', asns: nets.map((n) => n.asn), targets: [], dur: [60, 180], lateUpload: true },
    { technique: 'http', asns: [c], targets: ['facebook', 'tiktok'], dur: [40, 180] },
    { technique: 'throttle', asns: [b], targets: ['youtube'], dur: [60, 240] },
    { technique: 'tls', asns: [c], targets: ['twitter'], dur: [35, 90] },
    { technique: 'tls', asns: [c], targets: ['twitter'], dur: [35, 90] },
  ];
  // one slot per event after a 6-hour warm-up, in a seed-dependent order
  const t0 = start + 6 * 3600, t1 = end - 2 * 3600;
  const slot = (t1 - t0) / kinds.length;
  const order = kinds.map((_, i) => i).sort(() => r() - 0.5);
  // the two blocks of one platform stay hours apart: give them slots at least two apart
  const i6 = order.indexOf(6), i7 = order.indexOf(7);
  if (Math.abs(i6 - i7) < 2) {
    const j = (i6 + Math.floor(kinds.length / 2)) % kinds.length;
    [order[i7], order[j]] = [order[j], order[i7]];
  }
  return kinds.map((k, i) => {
    const s = order.indexOf(i);
    // events never overlap: each fits its slot with half an hour to spare
    const dur = Math.round(Math.min(uniform(r, k.dur[0], k.dur[1]) * 60, slot - 1800));
    const st = Math.round(t0 + s * slot + uniform(r, 0, Math.max(0, slot - dur - 1800)));
    const { dur: _d, ...rest } = k;
    return { ...rest, start: st, end: st + dur };
  });
}

function truthOf(e: EventSpec, cc: string, nets: GenNetwork[]): Incident {
  const kind: IncidentKind = e.technique === 'outage' ? 'network_outage' : e.technique === 'throttle' ? 'throttling' : 'platform_block';
  const asns = [...e.asns].sort((x, y) => x - y);
  const networks = asns.map((a) => nets.find((n) => n.asn === a)?.name ?? '');
  const targets = [...e.targets].sort();
  return {
    id: incidentId(kind, cc, asns[0], targets, binOf(e.start, 300)),
    kind, cc, asns, networks, targets,
    start: isoSeconds(e.start * 1000), end: isoSeconds(e.end * 1000),
    start_uncertainty_s: 0, end_uncertainty_s: 0,
    layers: [LAYER_OF[e.technique]], confidence: 1, status: 'resolved',
    evidence: { measurements: 0, anomalies: 0, probes: 0, sample_uids: [] },
    summary: summarize({ kind, cc, asns, networks, targets, start: e.start, end: e.end }),
  };
}

/** 20200105T150500Z */
function ooniStamp(t: number): string {
  const d = new Date(t * 1000);
  const p2 = (x: number) => (x < 10 ? '0' : '') + x;
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
}

export function generateScenario(opts: GenOptions): Scenario {
  const r = rng(opts.seed);
  const cc = opts.cc ?? 'VE';
  const nets = opts.networks ?? DEFAULT_NETWORKS;
  const interval = opts.intervalSeconds ?? 300;
  const start = opts.start ?? Date.UTC(2020, 0, 6 + (opts.seed % 20)) / 1000;
  const end = start + Math.round((opts.days ?? 2) * 86400);
  const events = opts.events === 'none' ? [] : Array.isArray(opts.events) ? opts.events : defaultEvents(r, nets, start, end);

  interface Probe { id: string; asn: number; name: string; phase: number; on: boolean; next: number; flaky: boolean; flakyBad: number; liarFrom: number; liarTo: number }
  const probes: Probe[] = [];
  nets.forEach((n, ni) => {
    for (let i = 0; i < n.probes; i++) {
      probes.push({
        id: `gen-${n.asn}-${i}`, asn: n.asn, name: n.name, phase: Math.floor(r() * interval),
        on: r() < 0.85, next: start + Math.round(uniform(r, 0.5, 10) * 3600),
        flaky: ni === 1 && i === 0, flakyBad: 0, liarFrom: Infinity, liarTo: -Infinity,
      });
    }
  });
  if (opts.liar !== false) {
    const liar = probes[1];
    liar.liarFrom = start + Math.round(uniform(r, 0, 0.4) * (end - start));
    liar.liarTo = liar.liarFrom + Math.round(uniform(r, 0.3, 0.6) * (end - start));
  }
  // short blips: one probe, one or all of its targets, 5–10 minutes
  const blips: Array<{ probe: string; target: string | null; start: number; end: number }> = [];
  const nBlips = Math.round(((end - start) / 86400) * 6);
  for (let i = 0; i < nBlips; i++) {
    const p = pick(r, probes);
    const s = Math.round(uniform(r, start, end));
    blips.push({ probe: p.id, target: r() < 0.5 ? pick(r, GEN_TARGETS).target : null, start: s, end: s + Math.round(uniform(r, 300, 600)) });
  }

  const observations: Observation[] = [];
  const arrival: number[] = [];
  const specs: MeasurementSpec[] = [];
  const evFor = (asn: number, target: string, test: string, t: number) =>
    events.find((e) => e.technique !== 'outage' && e.asns.includes(asn) && t >= e.start && t < e.end && e.targets.includes(target) && (e.technique !== 'throttle' || test === 'vigil_throughput'));
  const outageFor = (asn: number, t: number) => events.find((e) => e.technique === 'outage' && e.asns.includes(asn) && t >= e.start && t < e.end);

  for (const p of probes) {
    const myBlips = blips.filter((b) => b.probe === p.id);
    for (let tick = start + p.phase; tick < end; tick += interval) {
      // churn: probes come and go for hours at a time
      while (tick >= p.next) {
        p.on = !p.on;
        p.next += Math.round((p.on ? uniform(r, 4, 20) : uniform(r, 0.5, 4)) * 3600);
      }
      if (!p.on || r() > activity(tick)) continue;
      const outage = outageFor(p.asn, tick);
      if (outage && !outage.lateUpload) continue;
      if (outage && r() < 0.3) continue; // some devices are off during a shutdown
      if (p.flaky) p.flakyBad = p.flakyBad > 0 ? p.flakyBad - 1 : r() < 0.04 ? 1 + Math.floor(r() * 3) : 0;
      const lying = tick >= p.liarFrom && tick < p.liarTo;
      const reportId = `${ooniStamp(tick)}_webconnectivity_${cc}_${p.asn}_n1_${hex(r, 16)}`;
      GEN_TARGETS.forEach((tg, j) => {
        const t = tick + j * 4 + Math.floor(r() * 3);
        let outcome: Outcome = 'ok';
        let ratio: number | null = tg.test_name === 'vigil_throughput' ? Math.max(0.35, 0.95 + 0.12 * (r() + r() + r() - 1.5) * 2) : null;
        const ev = evFor(p.asn, tg.target, tg.test_name, t);
        const blip = myBlips.find((b) => t >= b.start && t < b.end && (b.target === null || b.target === tg.target));
        if (outageFor(p.asn, t)) outcome = 'offline';
        else if (ev && r() < 0.97) {
          outcome = ev.technique === 'throttle' ? 'throttle' : (ev.technique as Outcome);
        } else if (lying && tg.test_name !== 'vigil_throughput') outcome = tg.test_name === 'web_connectivity' ? 'dns' : 'tcp';
        else if (p.flakyBad > 0) outcome = r() < 0.5 ? 'control_failure' : 'tcp';
        else if (blip) outcome = pick(r, ['tcp', 'tls', 'dns'] as Outcome[]);
        else {
          const x = r();
          if (x < 0.015) outcome = pick(r, ['tcp', 'tls', 'dns'] as Outcome[]);
          else if (x < 0.025) outcome = 'control_failure';
        }
        if (tg.test_name === 'vigil_throughput') {
          if (outcome === 'throttle') ratio = uniform(r, 0.04, 0.2);
          else if (outcome !== 'ok') ratio = outcome === 'control_failure' || outcome === 'offline' ? null : 0;
          // the analyzer divides rounded kbit/s rates (control 8000 kbit/s): quantize the same way
          if (ratio !== null) ratio = Math.round(ratio * 8000) / 8000;
        }
        const v = OUTCOME_VERDICT[verdictKey(tg.test_name, outcome)];
        const uid = `${ooniStamp(t).replace('T', '').replace('Z', '')}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}_${cc}_${tg.test_name.replace('web_connectivity', 'webconnectivity')}_${hex(r, 16)}`;
        const late = outage ? outage.end + Math.round(uniform(r, 60, 1800)) : t + 10 + Math.floor(r() * 40);
        observations.push({
          uid, t, cc, asn: p.asn, network: p.name, probe_id: p.id, test_name: tg.test_name, target: tg.target,
          status: v.status, layer: v.layer, failure: v.failure,
          value: tg.test_name === 'vigil_throughput' ? (v.status === 'failure' ? null : ratio) : null,
        });
        arrival.push(late);
        specs.push({ outcome, input: tg.input, report_id: reportId.replace('webconnectivity', tg.test_name.replace('_', '')), ratio });
      });
    }
  }
  // sort the three parallel arrays by t
  const idx = observations.map((_, i) => i).sort((x, y) => observations[x].t - observations[y].t || (observations[x].uid < observations[y].uid ? -1 : 1));
  return {
    seed: opts.seed, cc, start, end, networks: nets, events,
    truth: events.map((e) => truthOf(e, cc, nets)),
    observations: idx.map((i) => observations[i]),
    arrival: idx.map((i) => arrival[i]),
    specs: idx.map((i) => specs[i]),
  };
}

/** The scenario's measurements as OONI envelopes (df-000 + test_keys), in time order. */
export function* scenarioMeasurements(sc: Scenario): Generator<Record<string, unknown>> {
  for (let i = 0; i < sc.observations.length; i++) yield buildEnvelope(sc.observations[i], sc.specs[i]);
}
