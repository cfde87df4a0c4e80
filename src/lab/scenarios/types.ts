// Scenarios are data: which network does what to which targets, and when (virtual time, UTC).
import type { Technique } from '../techniques.js';

export interface ScenarioEvent {
  /** a lab network name (CANTV, Movistar, Digitel), or '*' for every network including the outside */
  network: string;
  /** platform ids or control sites' bare hostnames; '*' for every site */
  targets: string[];
  technique: Technique;
  /** ISO 8601 UTC, inclusive */
  start: string;
  /** ISO 8601 UTC, exclusive */
  end: string;
  /** throttle only: the rate the censor allows, kbit/s */
  rateKbps?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** the scenario's virtual time span: the clock starts at `start` */
  start: string;
  end: string;
  events: ScenarioEvent[];
}
