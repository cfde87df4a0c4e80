// What every experiment gets (the API the lab and the CLI build on): the network environment,
// the control helper, who and where the probe is, a clock for measurement_start_time, targets.
import type { Clock } from '../model/time.js';
import type { NetEnv } from '../netx/env.js';
import type { Targets } from './targets.js';

export interface ProbeIdentity {
  cc: string;
  asn: number;
  network: string;
  probeId: string;
  resolverIp?: string | null;
  resolverAsn?: number | null;
  annotations?: Record<string, string>;
}

export interface ExperimentContext {
  env: NetEnv;
  /** the control helper's URL (POST); absent: web_connectivity records control_failure */
  helperUrl?: string;
  identity: ProbeIdentity;
  clock: Clock;
  targets: Targets;
  reportId: string;
}
