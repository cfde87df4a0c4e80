import { generateScenario, scenarioMeasurements } from '../../detect/scenario/generate.js';
for (const [days, iv] of [[1, 900], [1, 600], [0.5, 300]]) {
  const sc = generateScenario({ seed: 3, days, intervalSeconds: iv });
  const ms = [...scenarioMeasurements(sc)];
  console.log(days, iv, sc.observations.length, ms.length, sc.events.map((e) => `${e.technique}:${e.targets.join('+')}:${(e.end - e.start) / 3600}h`).join(' '), JSON.stringify(ms[0]).length);
}
