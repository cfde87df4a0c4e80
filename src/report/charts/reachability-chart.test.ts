import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { reachabilityChart } from './reachability-chart.js';

test('chart draws one path per network with data, shades the incident, marks events, escapes labels', () => {
  const since = 0;
  const until = 36000;
  const pts = (f: (t: number) => number) => Array.from({ length: 60 }, (_, i) => ({ t: i * 600, ok: f(i * 600), total: 10 }));
  const svg = reachabilityChart([
    { asn: 8048, network: 'CANTV', affected: true, points: pts((t) => (t > 10000 && t < 20000 ? 0 : 10)) },
    { asn: 6306, network: 'Movistar <&>', affected: false, points: pts(() => 10) },
    { asn: 1, network: 'Empty', affected: false, points: [] },
  ], { title: 'Twitter', since, until, shade: { start: 10000, end: 20000 }, events: [{ t: 9000, label: 'Vote "1"' }] });
  assert.equal(svg.match(/class="series"/g)?.length, 2);
  assert.match(svg, /class="incident"/);
  assert.match(svg, /class="event"/);
  assert.match(svg, /Movistar &lt;&amp;&gt;/);
  execFileSync('xmllint', ['--noout', '-'], { input: svg }); // well-formed XML
  // the affected series dips to 0% inside the shaded window: some y coordinate at the bottom line
  const bottom = (220 - 40).toFixed(1);
  assert.ok(svg.includes(`,${bottom}`), 'affected line reaches 0%');
});

test('time ticks fall on round UTC hours inside the span', async () => {
  const { timeTicks } = await import('./reachability-chart.js');
  const since = Date.UTC(2020, 0, 5, 12, 5) / 1000;
  const until = Date.UTC(2020, 0, 5, 20, 35) / 1000;
  const ticks = timeTicks(since, until);
  assert.deepEqual(ticks.map((t) => new Date(t * 1000).toISOString().slice(11, 16)), ['14:00', '16:00', '18:00', '20:00']);
  assert.ok(timeTicks(0, 86400 * 3).every((t) => t % 43200 === 0));
});
