// The scenario registry `vigil lab --scenario NAME` and the demo pick from.
import { UsageError } from '../../model/errors.js';
import { techniqueScenarios } from './techniques.js';
import type { Scenario } from './types.js';
import { venezuela2020 } from './venezuela-2020.js';

export type { Scenario, ScenarioEvent } from './types.js';

export const quiet: Scenario = {
  name: 'quiet',
  description: 'no censorship at all',
  start: '2020-01-05T12:00:00Z',
  end: '2020-01-05T18:00:00Z',
  events: [],
};

export const SCENARIOS: Scenario[] = [venezuela2020, quiet, ...techniqueScenarios];

export function scenarioByName(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new UsageError(`unknown scenario "${name}" (vigil lab --list shows them)`);
  return s;
}
