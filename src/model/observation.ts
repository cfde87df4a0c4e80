// Observations (DESIGN.md §3): one per measurement and target, the unit detection counts.
import { Type, type Static } from '@sinclair/typebox';

export const STATUSES = ['ok', 'anomaly', 'confirmed', 'failure'] as const;
export type Status = (typeof STATUSES)[number];
export const LAYERS = ['dns', 'tcp', 'tls', 'http', 'throttle'] as const;
export type Layer = (typeof LAYERS)[number];

export const Observation = Type.Object({
  /** the measurement's uid (several observations may share it, one per target) */
  uid: Type.String(),
  /** measurement_start_time as Unix seconds (UTC) */
  t: Type.Integer(),
  cc: Type.String(),
  asn: Type.Integer({ minimum: 0 }),
  /** probe_network_name, for summaries ("CANTV") */
  network: Type.String(),
  probe_id: Type.String(),
  test_name: Type.String(),
  target: Type.String(),
  status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
  layer: Type.Union([...LAYERS.map((s) => Type.Literal(s)), Type.Null()]),
  failure: Type.Union([Type.String(), Type.Null()]),
  /** vigil_throughput: target/control rate ratio; null for other tests */
  value: Type.Union([Type.Number(), Type.Null()]),
});
export type Observation = Static<typeof Observation>;
