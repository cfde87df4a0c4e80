// Incidents (DESIGN.md §4, a contract): what `vigil detect --json` prints and the API serves.
import { Type, type Static } from '@sinclair/typebox';

export const INCIDENT_KINDS = ['platform_block', 'network_outage', 'throttling'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const Evidence = Type.Object({
  measurements: Type.Integer({ minimum: 0 }),
  anomalies: Type.Integer({ minimum: 0 }),
  probes: Type.Integer({ minimum: 0 }),
  sample_uids: Type.Array(Type.String()),
  /** BGP visibility, when it joined the evidence: /24s seen before and during */
  bgp: Type.Optional(Type.Object({ baseline_slash24: Type.Number(), min_slash24: Type.Number() }, { additionalProperties: true })),
}, { additionalProperties: true });

export const Incident = Type.Object({
  id: Type.String(),
  kind: Type.Union(INCIDENT_KINDS.map((k) => Type.Literal(k))),
  cc: Type.String(),
  asns: Type.Array(Type.Integer()),
  networks: Type.Array(Type.String()),
  targets: Type.Array(Type.String()),
  start: Type.String(),
  end: Type.Union([Type.String(), Type.Null()]),
  start_uncertainty_s: Type.Number({ minimum: 0 }),
  end_uncertainty_s: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  layers: Type.Array(Type.String()),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  status: Type.Union([Type.Literal('ongoing'), Type.Literal('resolved')]),
  evidence: Evidence,
  summary: Type.String(),
  /** when detection first raised it, and when it last changed (ISO, wall clock of the detector) */
  detected_at: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.String()),
  /** typical failure strings per layer, e.g. {"tls": ["connection_reset"]} */
  failures: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
}, { additionalProperties: true });
export type Incident = Static<typeof Incident>;
export type Evidence = Static<typeof Evidence>;
