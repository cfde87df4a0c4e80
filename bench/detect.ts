// `vigil bench detect`: Vigil's detector and three baselines (OONI-fastpath-style hourly anomaly
// ratio, IODA-style moving-median ratio, ooni/data CUSUM) scored on the same generated scenarios,
// plus noise-only days and the time to run `detect` over one country-month. docs/evaluation.md.
import { generateScenario, type Scenario } from '../src/detect/scenario/generate.js';
import { cusumDetector, fastpathDetector, iodaDetector, type Detector } from '../src/detect/scenario/baselines.js';
import { formatTable, scoreDetector, type Summary } from '../src/detect/scenario/score.js';
import { binObservations } from '../src/detect/series.js';
import { detect } from '../src/detect/detect.js';

/** Seeds never used while tuning (tuning used 1–5). */
export const EVAL_SEEDS = [101, 102, 103, 104, 105, 106, 107, 108];

const vigil: Detector = (rows, now) => detect(rows, { now });

export async function benchDetect(opts: { seeds?: number[]; days?: number; month?: boolean } = {}): Promise<string> {
  const seeds = opts.seeds ?? EVAL_SEEDS;
  const days = opts.days ?? 2;
  const scenarios: Scenario[] = seeds.map((seed) => generateScenario({ seed, days }));
  const detectors: Array<[string, Detector]> = [['vigil', vigil], ['ooni-fastpath-style', fastpathDetector], ['ioda-style', iodaDetector], ['cusum (ooni/data)', cusumDetector]];
  const rows: Summary[] = detectors.map(([name, d]) => scoreDetector(name, d, scenarios));
  // noise only: every incident is a false alarm
  const quiet = seeds.slice(0, 4).map((seed) => generateScenario({ seed: seed + 1000, days, events: 'none' }));
  const quietRows = detectors.map(([name, d]) => {
    let fa = 0, dd = 0;
    for (const sc of quiet) {
      fa += d(binObservations(sc.observations, 300), sc.end).length;
      dd += (sc.end - sc.start) / 86400;
    }
    return `| ${name} | ${dd.toFixed(0)} | ${fa} | ${(fa / dd).toFixed(2)} |`;
  });
  const out = [
    `Scenarios: ${seeds.length} × ${days} days, seeds ${seeds.join(', ')}; events ≥ 30 min scored; probes every 5 min.`,
    '',
    formatTable(rows),
    '',
    'Noise-only days (a lying probe, a flaky probe, churn, blips; no events):',
    '',
    '| detector | days | incidents | per day |',
    '|---|---:|---:|---:|',
    ...quietRows,
  ];
  if (opts.month !== false) {
    const month = generateScenario({ seed: 4242, days: 30 });
    const t0 = performance.now();
    const series = binObservations(month.observations, 300);
    const t1 = performance.now();
    const inc = detect(series, { now: month.end });
    const t2 = performance.now();
    out.push('', `One country-month (${month.networks.length} networks, ${month.observations.length.toLocaleString('en')} observations, ${series.length.toLocaleString('en')} series rows): binning ${((t1 - t0) / 1000).toFixed(2)} s, detect ${((t2 - t1) / 1000).toFixed(2)} s, ${inc.length} incidents.`);
  }
  return out.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seeds = process.argv[2] ? process.argv[2].split(',').map(Number) : undefined;
  benchDetect({ seeds, month: process.argv[3] !== 'nomonth' }).then((s) => process.stdout.write(s));
}
