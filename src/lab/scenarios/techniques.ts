// One scenario per technique: CANTV applies it to Twitter for two hours in the middle of a
// six-hour window, so each technique can be watched switching on and off. `site-down` is the
// counter-example: the site fails for everybody, control included, which is not censorship.
import { TECHNIQUES, type Technique } from '../techniques.js';
import type { Scenario } from './types.js';

const START = '2020-01-05T12:00:00Z';
const END = '2020-01-05T18:00:00Z';
export const TECHNIQUE_EVENT_START = '2020-01-05T14:00:00Z';
export const TECHNIQUE_EVENT_END = '2020-01-05T16:00:00Z';

export function techniqueScenario(technique: Technique): Scenario {
  const down = technique === 'down';
  return {
    name: down ? 'site-down' : technique.replace(/_/g, '-'),
    description: down
      ? 'example.org is down everywhere (control included) 14:00–16:00 UTC: not censorship'
      : `CANTV applies ${technique} to Twitter 14:00–16:00 UTC`,
    start: START,
    end: END,
    events: [{
      network: down ? '*' : 'CANTV',
      targets: down ? ['example.org'] : ['twitter'],
      technique,
      start: TECHNIQUE_EVENT_START,
      end: TECHNIQUE_EVENT_END,
    }],
  };
}

export const techniqueScenarios: Scenario[] = TECHNIQUES.map(techniqueScenario);
