// End to end with the real DuckDB store: generated OONI envelopes → ingest (analyze + store) →
// runDetection → incidents that match the ground truth; then late uploads revise an incident and
// it keeps its id; a re-run with nothing new changes nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import { ingest } from '../ingest/pipeline.js';
import { generateScenario, scenarioMeasurements } from './scenario/generate.js';
import { matches } from './scenario/score.js';
import { runDetection } from './run.js';
import { binObservations } from './series.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-detect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const START = Date.UTC(2020, 0, 5) / 1000;
const H = 3600;
const sc = generateScenario({
  seed: 7, start: START, days: 1, liar: true,
  networks: [{ asn: 8048, name: 'CANTV', probes: 5 }, { asn: 6306, name: 'Movistar', probes: 4 }],
  events: [
    { technique: 'tls', asns: [8048], targets: ['instagram', 'twitter'], start: START + 9 * H + 420, end: START + 11 * H + 1260 },
    { technique: 'outage', asns: [8048, 6306], targets: [], start: START + 15 * H + 300, end: START + 16 * H + 1500, lateUpload: true },
  ],
});

test('generate → ingest → runDetection finds the injected events, and late data revises', async () => {
  const store = await openDuckDbStore(join(dir, 'e2e.duckdb'));
  try {
    const envs = [...scenarioMeasurements(sc)];
    // phase 1: what had arrived by 16:00 (the outage is under way, its measurements still queued)
    const cut = START + 16 * H;
    const early = envs.filter((_, i) => sc.arrival[i] <= cut);
    const r1 = await ingest(store, early);
    assert.equal(r1.rejected.length, 0, JSON.stringify(r1.rejected.slice(0, 2)));
    const a = await runDetection(store, { now: cut });
    const block = a.incidents.find((i) => i.kind === 'platform_block');
    assert.ok(block && matches(sc.truth[0], block, cut), JSON.stringify(a.incidents.map((i) => i.summary)));
    assert.deepEqual(block.targets, ['instagram', 'twitter']);
    assert.ok(block.evidence.sample_uids.length > 0);
    const outage = a.incidents.find((i) => i.kind === 'network_outage');
    assert.ok(outage && outage.status === 'ongoing', `outage while silent: ${JSON.stringify(a.incidents.map((i) => i.summary))}`);
    // the store's SQL binning equals the reference binning
    const fromStore = await store.series({ binSeconds: 300, since: START, until: START + 6 * H });
    const ref = binObservations(sc.observations.filter((o, i) => sc.arrival[i] <= cut && o.t < START + 6 * H), 300);
    assert.deepEqual(fromStore.map((r) => ({ ...r, value: r.value === null ? null : Math.round(r.value * 1e6) })), ref.map((r) => ({ ...r, value: r.value === null ? null : Math.round(r.value * 1e6) })));

    // phase 2: everything, including the uploads queued during the outage
    await ingest(store, envs.filter((_, i) => sc.arrival[i] > cut));
    const b = await runDetection(store, { now: sc.end });
    const outage2 = b.incidents.find((i) => i.kind === 'network_outage');
    assert.ok(outage2, 'outage still there with the late data');
    assert.equal(outage2.id, outage.id, 'a revised incident keeps its id');
    assert.equal(outage2.status, 'resolved');
    assert.deepEqual(outage2.asns, [6306, 8048]);
    assert.ok(b.resolved.some((i) => i.id === outage.id) || b.updated.some((i) => i.id === outage.id));
    assert.ok(Math.abs(Date.parse(outage2.end!) / 1000 - sc.events[1].end) <= 600, `end ${outage2.end}`);
    for (const t of sc.truth) assert.ok(b.incidents.some((i) => matches(t, i, sc.end)), `missed: ${t.summary}`);
    assert.equal(b.incidents.length, sc.truth.length, JSON.stringify(b.incidents.map((i) => i.summary)));

    // phase 3: nothing new → nothing changes
    const c = await runDetection(store, { now: sc.end + 600 });
    assert.deepEqual([c.opened.length, c.updated.length, c.resolved.length, c.retracted.length], [0, 0, 0, 0]);
    assert.deepEqual(c.incidents.map((i) => i.id).sort(), b.incidents.map((i) => i.id).sort());
  } finally {
    await store.close();
  }
});
