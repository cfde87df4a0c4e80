import { generateScenario } from '../../detect/scenario/generate.js';
for (let seed = 1; seed <= 12; seed++) { const sc = generateScenario({ seed, days: 0.5, intervalSeconds: 900 }); console.log(seed, sc.observations.length, sc.truth.length); }
