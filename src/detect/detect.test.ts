// One test per detection principle of DESIGN.md §4, on small hand-built observation streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation, Status, Layer } from '../model/observation.js';
import { binObservations } from './series.js';
import { detect } from './detect.js';

const T0 = Date.UTC(2020, 0, 5) / 1000;
const H = 3600;

interface Ev { targets: string[] | '*'; from: number; to: number; probes?: number[]; status?: Status; layer?: Layer }
interface NetSpec { asn?: number; name?: string; probes?: number; hours?: number; targets?: string[]; events?: Ev[]; silent?: Array<[number, number]>; onlyProbes?: Array<[number, number, number[]]>; flaky?: Record<string, number> }

/** A deterministic pseudo-random number in [0, 1) per integer (independent failures). */
const frac = (n: number) => { const x = Math.sin(n * 12.9898) * 43758.5453; return x - Math.floor(x); };

/** Every probe measures every target once per 5 minutes, at its own phase. */
function stream(spec: NetSpec): Observation[] {
  const asn = spec.asn ?? 8048, name = spec.name ?? 'CANTV', probes = spec.probes ?? 4, hours = spec.hours ?? 24;
  const targets = spec.targets ?? ['twitter', 'instagram', 'youtube', 'wikipedia.org', 'bbc.com'];
  const out: Observation[] = [];
  let n = 0;
  for (let p = 0; p < probes; p++) {
    for (let t = T0 + p * 47; t < T0 + hours * H; t += 300) {
      if ((spec.silent ?? []).some(([a, b]) => t >= T0 + a && t < T0 + b)) continue;
      const only = (spec.onlyProbes ?? []).find(([a, b]) => t >= T0 + a && t < T0 + b);
      if (only && !only[2].includes(p)) continue;
      targets.forEach((target, j) => {
        const tt = t + j * 3;
        const ev = (spec.events ?? []).find((e) => tt >= T0 + e.from && tt < T0 + e.to && (e.targets === '*' || e.targets.includes(target)) && (!e.probes || e.probes.includes(p)));
        // deterministic light noise: a failure every 97th observation
        const noise = ++n % 97 === 0 || (spec.flaky?.[target] !== undefined && frac(n) < spec.flaky[target]);
        const status: Status = ev ? (ev.status ?? 'anomaly') : noise ? 'anomaly' : 'ok';
        out.push({
          uid: `u${asn}-${p}-${tt}-${target}`, t: tt, cc: 'VE', asn, network: name, probe_id: `p${asn}-${p}`, test_name: 'web_connectivity', target,
          status, layer: status === 'ok' || status === 'failure' ? null : ev?.layer ?? 'tcp', failure: status === 'ok' ? null : 'connection_reset', value: null,
        });
      });
    }
  }
  return out;
}

const run = (obs: Observation[], now = T0 + 24 * H, minProbes?: number) => detect(binObservations(obs, 300), { now, minProbes });
const sec = (iso: string | null) => (iso === null ? null : Date.parse(iso) / 1000);

test('own baseline: a site that always fails 30% of the time is no incident; one that starts failing is', () => {
  const quiet = run(stream({ flaky: { 'bbc.com': 0.3 } }));
  assert.deepEqual(quiet, []);
  const inc = run(stream({ flaky: { 'bbc.com': 0.3 }, events: [{ targets: ['twitter'], from: 10 * H, to: 12 * H }] }));
  assert.equal(inc.length, 1);
  assert.deepEqual(inc[0].targets, ['twitter']);
});

test('probe agreement: one probe failing for hours is not enough; the threshold is configurable', () => {
  const obs = stream({ onlyProbes: [[10 * H, 13 * H, [2]]], events: [{ targets: ['twitter', 'instagram'], from: 10 * H, to: 13 * H, probes: [2] }] });
  assert.deepEqual(run(obs), []);
  // and among honest probes, one dissenter changes nothing
  assert.deepEqual(run(stream({ events: [{ targets: ['twitter', 'instagram'], from: 10 * H, to: 13 * H, probes: [2] }] })), []);
  const one = run(obs, undefined, 1);
  assert.ok(one.length >= 1, 'with minProbes=1 the same data is an incident');
});

test('lying probe: alone at night, reporting every target blocked, it never makes an incident', () => {
  const obs = stream({ onlyProbes: [[2 * H, 8 * H, [1]]], events: [{ targets: '*', from: 0, to: 24 * H, probes: [1] }] });
  assert.deepEqual(run(obs), []);
});

test('platform block vs outage: controls working → block; everything failing or silent → outage', () => {
  const block = run(stream({ events: [{ targets: ['twitter', 'instagram'], from: 10 * H, to: 12 * H }] }));
  assert.deepEqual(block.map((i) => i.kind), ['platform_block']);
  // without connectivity the web tests cannot reach their control (`failure`); the IM tests fail outright
  const fails = run(stream({
    targets: ['twitter', 'instagram', 'youtube', 'wikipedia.org', 'bbc.com', 'whatsapp'],
    events: [
      { targets: ['twitter', 'instagram', 'youtube', 'wikipedia.org', 'bbc.com'], from: 10 * H, to: 12 * H, status: 'failure' },
      { targets: ['whatsapp'], from: 10 * H, to: 12 * H, layer: 'dns' },
    ],
  }));
  assert.deepEqual(fails.map((i) => i.kind), ['network_outage']);
  const silent = run(stream({ probes: 6, silent: [[10 * H, 12 * H]] }));
  assert.deepEqual(silent.map((i) => i.kind), ['network_outage']);
  assert.deepEqual(silent[0].targets, []);
});

test('change-point localization: start and end within a few minutes of the truth, not at the alarm bin', () => {
  const from = 10 * H + 7 * 60, to = 12 * H + 43 * 60;
  const [i] = run(stream({ events: [{ targets: ['twitter'], from, to }] }));
  assert.ok(Math.abs(sec(i.start)! - (T0 + from)) <= 300, `start ${i.start}`);
  assert.ok(Math.abs(sec(i.end)! - (T0 + to)) <= 300, `end ${i.end}`);
  assert.equal(i.start_uncertainty_s, 300);
  assert.match(i.summary, /^Twitter restricted on CANTV \(AS8048\), Venezuela, 10:\d\d–12:\d\d UTC \(2 h \d+ min\)$/);
});

test('merge: targets going down and up together are one incident; another time is another', () => {
  const inc = run(stream({ events: [
    { targets: ['twitter', 'instagram', 'youtube'], from: 10 * H, to: 12 * H },
    { targets: ['twitter'], from: 16 * H, to: 17 * H },
  ] }));
  assert.equal(inc.length, 2);
  assert.deepEqual(inc[0].targets, ['instagram', 'twitter', 'youtube']);
  assert.match(inc[0].summary, /^Twitter, Instagram and YouTube restricted/);
  assert.deepEqual(inc[1].targets, ['twitter']);
  // two networks of one country in the same window are listed together
  const two = run([
    ...stream({ events: [{ targets: ['twitter'], from: 10 * H, to: 12 * H }] }),
    ...stream({ asn: 6306, name: 'Movistar', events: [{ targets: ['twitter'], from: 10 * H + 120, to: 12 * H }] }),
  ]);
  assert.equal(two.length, 1);
  assert.deepEqual(two[0].asns, [6306, 8048]);
  assert.match(two[0].summary, /on Movistar \(AS6306\) and CANTV \(AS8048\), Venezuela/);
});

test('stable on re-run: the same data gives the same incidents and ids; more data after keeps the id', () => {
  const obs = stream({ events: [{ targets: ['twitter'], from: 10 * H, to: 12 * H }] });
  const a = run(obs), b = run(obs);
  assert.deepEqual(a, b);
  const c = run(obs.filter((o) => o.t < T0 + 14 * H), T0 + 14 * H);
  assert.equal(c[0].id, a[0].id);
});

test('an empty bin does not end an incident: gaps inside and silence at the end', () => {
  const obs = stream({ probes: 4, events: [{ targets: ['twitter'], from: 10 * H, to: 14 * H }], onlyProbes: [[11 * H, 11 * H + 1800, []]] });
  const inc = run(obs.filter((o) => o.target !== 'twitter' || o.t < T0 + 11 * H || o.t >= T0 + 11 * H + 1800));
  assert.equal(inc.filter((i) => i.kind === 'platform_block').length, 1);
  // ongoing: the block runs into the present and the last bins happen to be empty
  const cut = stream({ events: [{ targets: ['twitter'], from: 10 * H, to: 24 * H }] }).filter((o) => o.t < T0 + 12 * H || o.target !== 'twitter');
  const [on] = run(cut, T0 + 12 * H + 1200);
  assert.equal(on.status, 'ongoing');
  assert.equal(on.end, null);
  assert.match(on.summary, /since 10:0\d UTC$/);
});

test('BGP: a deep visibility drop opens an outage by itself; a shallow one or a tiny network does not', () => {
  const t0 = 1_578_182_400; // 2020-01-05
  const drop = { asn: 8048, cc: 'VE', start: t0 + 3600, end: t0 + 7200, baseline: 400, min: 3 };
  const [o, ...rest] = detect([], { now: t0 + 86400, bgpDrops: [drop] });
  assert.equal(rest.length, 0);
  assert.equal(o.kind, 'network_outage');
  assert.deepEqual(o.asns, [8048]);
  assert.equal(o.start, '2020-01-05T01:00:00Z');
  assert.equal(o.end, '2020-01-05T02:00:00Z');
  assert.deepEqual(o.evidence.bgp, { baseline_slash24: 400, min_slash24: 3 });
  assert.ok(o.confidence > 0.9 && o.confidence <= 0.95);
  assert.deepEqual(detect([], { now: t0 + 86400, bgpDrops: [{ ...drop, min: 300 }] }), []);
  assert.deepEqual(detect([], { now: t0 + 86400, bgpDrops: [{ ...drop, baseline: 2, min: 0 }] }), []);
  assert.deepEqual(detect([], { now: t0 + 1800, bgpDrops: [drop] }), [], 'a drop after now is not seen yet');
});
