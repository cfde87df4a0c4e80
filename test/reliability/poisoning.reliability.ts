// Poisoning (issue 9 §5): many fake probes from one source claiming a block must not make an
// incident, while the same number of honest probes from distinct networks must (so the test can
// fail). The measurements are the detection scenario generator's (a 3-hour TLS block of Twitter
// on CANTV, seen by every probe), sent through the collector over HTTP; detection then runs on
// the store. Mechanism: the collector tags each upload with a salted pseudonym of its source /24
// (src/collect/auth/source-groups.ts), the pipeline counts that pseudonym as the vantage point,
// and detection's agreement rule needs >= 2 distinct vantage points; per-address rate limits
// bound how fast one source can push anything at all.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from '../../src/collect/server.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { generateScenario, scenarioMeasurements } from '../../src/detect/scenario/generate.js';
import { runDetection } from '../../src/detect/run.js';
import { http } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-poison-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const START = Date.UTC(2020, 0, 6) / 1000;
const PROBES = 6;
const sc = generateScenario({
  seed: 11, start: START, days: 1.5, liar: false, intervalSeconds: 900,
  networks: [{ asn: 8048, name: 'CANTV', probes: PROBES }],
  events: [{ technique: 'tls', asns: [8048], targets: ['twitter'], start: START + 24 * 3600, end: START + 27 * 3600 }],
});
const all = [...scenarioMeasurements(sc)];

/** Sends every measurement through a fresh collector, each probe's from `sourceOf(probe_id)`;
 *  returns the incidents detection finds and what the upload cost. */
async function run(name: string, sourceOf: (probeId: string) => string) {
  const store = await openDuckDbStore(join(dir, `${name}.duckdb`));
  const app = await createServer({
    store, now: () => sc.end * 1000,
    access: { mode: 'open', perAddress: { ratePerSec: 200, burst: 400 } },
  });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/measurements`;
    const byProbe = new Map<string, Array<Record<string, unknown>>>();
    for (const m of all) {
      const pid = String((m.annotations as Record<string, unknown>).probe_id);
      byProbe.set(pid, [...(byProbe.get(pid) ?? []), m]);
    }
    let accepted = 0;
    let limited = 0;
    for (const [pid, ms] of byProbe) {
      for (let i = 0; i < ms.length; i += 200) {
        for (;;) {
          const r = await http(url, 'POST', { measurements: ms.slice(i, i + 200) }, { from: sourceOf(pid) });
          if (r.status === 429) { limited++; await new Promise((res) => setTimeout(res, 50)); continue; }
          assert.equal(r.status, 200, r.text);
          accepted += r.json.accepted;
          break;
        }
      }
    }
    assert.equal(accepted, all.length);
    const rows = await store.aggregate({ grain: '1d', target: 'twitter' });
    const vantage = Math.max(...rows.map((r) => r.probes));
    const res = await runDetection(store, { now: sc.end });
    return { incidents: res.incidents, probes: byProbe.size, vantage, limited };
  } finally {
    await app.close();
    await store.close();
  }
}

test('six honest probes on six networks make the incident; six forged ones from one source do not', { timeout: 120_000 }, async () => {
  const ids = [...new Set(all.map((m) => String((m.annotations as Record<string, unknown>).probe_id)))];
  assert.equal(ids.length, PROBES);
  // honest: each probe from its own /24 (all inside 127/8, loopback)
  const honest = await run('honest', (pid) => `127.0.${10 + ids.indexOf(pid)}.1`);
  const block = honest.incidents.filter((i) => i.kind === 'platform_block' && i.targets.includes('twitter') && i.asns.includes(8048));
  assert.equal(block.length, 1, `honest probes: ${JSON.stringify(honest.incidents.map((i) => i.summary))}`);
  assert.equal(honest.vantage, PROBES);

  // forged: the same measurements, distinct probe ids, all from one address
  const forged = await run('forged', () => '127.0.0.99');
  assert.equal(forged.probes, PROBES, 'the attacker claimed as many probe ids');
  assert.equal(forged.vantage, 1, 'they count as one vantage point');
  assert.deepEqual(forged.incidents.map((i) => i.summary), [], 'no incident from one source');

  // and from six addresses in one /24: still one network, still no incident
  const sameNet = await run('same24', (pid) => `127.0.5.${10 + ids.indexOf(pid)}`);
  assert.deepEqual(sameNet.incidents.map((i) => i.summary), []);
  console.log([
    `poisoning: ${all.length} measurements per run, ${PROBES} probe ids, a 3 h TLS block of twitter on AS8048`,
    `  honest, ${PROBES} /24s: ${honest.vantage} vantage points -> ${block.length} incident: ${block[0]?.summary}`,
    `  forged, one address: ${forged.vantage} vantage point -> 0 incidents (${forged.limited} uploads slowed by the per-address limit)`,
    `  forged, ${PROBES} addresses in one /24: ${sameNet.vantage} vantage point -> 0 incidents`,
  ].join('\n'));
});
