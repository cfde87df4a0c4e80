// The generator's two outputs agree (src/analyze classifies every generated envelope as the direct
// observation says), it is deterministic per seed, and the scorer counts what it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeMeasurement } from '../../analyze/analyze.js';
import { validateMeasurement } from '../../model/validate.js';
import type { Incident } from '../../model/incident.js';
import { generateScenario, verdictKey } from './generate.js';
import { buildEnvelope } from './envelopes.js';
import { scoreIncidents, matches } from './score.js';
import { cusumDetector, fastpathDetector } from './baselines.js';
import { binObservations } from '../series.js';

const sc = generateScenario({ seed: 3, days: 1, networks: [{ asn: 8048, name: 'CANTV', probes: 4 }, { asn: 6306, name: 'Movistar', probes: 3 }, { asn: 264731, name: 'Digitel', probes: 3 }] });

test('every kind of generated measurement is classified by src/analyze as the generator says', () => {
  const seen = new Set<string>();
  for (let i = 0; i < sc.observations.length; i++) {
    const o = sc.observations[i];
    const key = `${o.test_name}|${verdictKey(o.test_name, sc.specs[i].outcome)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const env = buildEnvelope(o, sc.specs[i]);
    const [a] = analyzeMeasurement(env as never);
    assert.ok(a, key);
    assert.deepEqual({ uid: a.uid, t: a.t, probe: a.probe_id, target: a.target, status: a.status, layer: a.layer, value: a.value },
      { uid: o.uid, t: o.t, probe: o.probe_id, target: o.target, status: o.status, layer: o.layer, value: o.value }, key);
  }
  assert.ok(seen.size >= 25, `only ${seen.size} kinds`);
});

test('generated envelopes pass the envelope schema', () => {
  for (let i = 0; i < sc.observations.length; i += 997) {
    const r = validateMeasurement(buildEnvelope(sc.observations[i], sc.specs[i]));
    assert.ok(r.ok, JSON.stringify(r));
  }
});

test('the generator is deterministic per seed and its truth has the incident shape', () => {
  const again = generateScenario({ seed: 3, days: 1, networks: sc.networks });
  assert.deepEqual(again.observations.slice(0, 50), sc.observations.slice(0, 50));
  assert.equal(again.observations.length, sc.observations.length);
  assert.ok(sc.truth.length >= 7);
  for (const t of sc.truth) assert.match(t.summary, /(restricted|throttled|outage) on .*Venezuela/);
});

const inc = (over: Partial<Incident>): Incident => ({
  id: 'x', kind: 'platform_block', cc: 'VE', asns: [8048], networks: ['CANTV'], targets: ['twitter'],
  start: '2020-01-05T10:00:00Z', end: '2020-01-05T12:00:00Z', start_uncertainty_s: 0, end_uncertainty_s: 0, layers: [], confidence: 1,
  status: 'resolved', evidence: { measurements: 0, anomalies: 0, probes: 0, sample_uids: [] }, summary: '', ...over,
});

test('scorer: matching, precision, recall, errors, false alarms', () => {
  const now = Date.UTC(2020, 0, 6) / 1000;
  const truth = [inc({}), inc({ kind: 'network_outage', targets: [], start: '2020-01-05T15:00:00Z', end: '2020-01-05T16:00:00Z' }), inc({ start: '2020-01-05T20:00:00Z', end: '2020-01-05T20:10:00Z' })];
  const found = [
    inc({ start: '2020-01-05T10:03:00Z', end: '2020-01-05T11:58:00Z' }),                       // hit, 3 / 2 min off
    inc({ kind: 'platform_block', start: '2020-01-05T15:00:00Z', end: '2020-01-05T16:00:00Z', targets: ['youtube'] }), // wrong kind: false alarm
    inc({ start: '2020-01-05T20:00:00Z', end: '2020-01-05T20:10:00Z' }),                       // a short event: not counted either way
    inc({ asns: [6306] }),                                                                      // other network: false alarm
  ];
  assert.equal(matches(truth[0], found[0], now), true);
  assert.equal(matches(truth[1], found[1], now), false);
  const s = scoreIncidents(truth, found, now, 1);
  assert.equal(s.events[0].startError, 180);
  assert.equal(s.events[0].endError, 120);
  assert.equal(s.events[1].matched, null);
  assert.equal(s.truePositives, 1);
  assert.equal(s.detections, 3);
  assert.equal(s.falseAlarms.length, 2);
});

test('baselines run on the same rows (hourly rules cannot see short events)', () => {
  const rows = binObservations(sc.observations, 300);
  const fp = fastpathDetector(rows, sc.end);
  const cu = cusumDetector(rows, sc.end);
  for (const i of [...fp, ...cu]) assert.equal(Date.parse(i.start) % 3600000, 0, 'hour-aligned');
});
