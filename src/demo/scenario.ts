// The seed scenario of `vigil demo` (issue 5 §3): a simulated day in Venezuela on 5 January 2020.
// CANTV restricts Twitter, Instagram, YouTube and Facebook Messenger from 15:05 to 17:35 UTC while
// the National Assembly votes for its speaker; Movistar and Digitel are not affected. The censor
// technique (reset on the TLS SNI) is the lab's venezuela-2020 event; the day around it is quiet.
import type { Scenario } from '../lab/scenarios/types.js';
import { venezuela2020 } from '../lab/scenarios/venezuela-2020.js';
import { NETWORKS } from '../lab/networks.js';
import type { ContextEvent } from '../report/events.js';

export const DAY_START = '2020-01-05T00:00:00Z';
export const DAY_END = '2020-01-06T00:00:00Z';

export const demoScenario: Scenario = {
  ...venezuela2020,
  name: 'venezuela-2020-day',
  description: `${venezuela2020.description}; a whole simulated day`,
  start: DAY_START,
  end: DAY_END,
};

/** Context marked on the report's charts (times from press reports of the session, UTC). */
export const demoContext: ContextEvent[] = [
  { t: Date.parse('2020-01-05T15:00:00Z') / 1000, label: 'National Assembly votes for its speaker' },
];

/** The ground truth in the incident shape of DESIGN.md §4 (scenario.json). */
export function groundTruth(s: Scenario = demoScenario) {
  return {
    scenario: s.name,
    description: s.description,
    events: s.events.map((e) => {
      const net = NETWORKS.find((n) => n.name === e.network);
      return {
        kind: e.technique === 'throttle' ? 'throttling' : e.targets.includes('*') ? 'network_outage' : 'platform_block',
        cc: net?.cc ?? 'VE',
        asns: net ? [net.asn] : [],
        networks: net ? [net.name] : [],
        targets: [...e.targets].sort(),
        start: e.start.replace(/\.\d{3}Z$/, 'Z'),
        end: e.end.replace(/\.\d{3}Z$/, 'Z'),
        technique: e.technique,
      };
    }),
  };
}
