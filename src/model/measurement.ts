// The measurement format: OONI's df-000 envelope plus per-test test_keys (DESIGN.md §2, a
// contract). This file is the one source of truth: TS types come from Static<>, the JSON Schema
// under schemas/ is generated from it (scripts/gen-schemas.ts) and a test fails when they drift.
// Objects allow extra properties because OONI's data carries many more keys than Vigil reads.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const open = { additionalProperties: true } as const;

/** df-007 failure string or null. */
export const FailureField = Nullable(Type.String({ maxLength: 1024 }));

// ---- df-002 DNS --------------------------------------------------------------------------
export const DnsAnswer = Type.Object({
  answer_type: Type.String(),          // A, AAAA, CNAME, ...
  ipv4: Type.Optional(Type.String()),
  ipv6: Type.Optional(Type.String()),
  hostname: Type.Optional(Type.String()),
  ttl: Type.Optional(Nullable(Type.Number())),
  asn: Type.Optional(Type.Number()),
  as_org_name: Type.Optional(Type.String()),
}, open);

export const DnsQuery = Type.Object({
  answers: Nullable(Type.Array(DnsAnswer)),
  engine: Type.Optional(Type.String()),          // "udp", "getaddrinfo", ...
  failure: FailureField,
  hostname: Type.String(),
  query_type: Type.String(),
  resolver_address: Type.Optional(Type.String()),
  resolver_hostname: Type.Optional(Nullable(Type.String())),
  resolver_port: Type.Optional(Nullable(Type.String())),
  t0: Type.Optional(Type.Number()),
  t: Type.Optional(Type.Number()),
  transaction_id: Type.Optional(Type.Number()),
  /** Vigil: every reply that arrived for this query, in arrival order (an injector's and the real one). */
  x_all_replies: Type.Optional(Type.Array(Type.Object({
    t: Type.Number(),
    rcode: Type.String(),
    answers: Type.Array(DnsAnswer),
  }, open))),
}, open);

// ---- df-005 TCP connect --------------------------------------------------------------------
export const TcpConnect = Type.Object({
  ip: Type.String(),
  port: Type.Number(),
  status: Type.Object({
    blocked: Type.Optional(Nullable(Type.Boolean())),
    failure: FailureField,
    success: Type.Boolean(),
  }, open),
  t0: Type.Optional(Type.Number()),
  t: Type.Optional(Type.Number()),
  transaction_id: Type.Optional(Type.Number()),
}, open);

// ---- df-006 TLS handshake --------------------------------------------------------------------
export const TlsHandshake = Type.Object({
  address: Type.Optional(Type.String()),
  cipher_suite: Type.Optional(Nullable(Type.String())),
  failure: FailureField,
  negotiated_protocol: Type.Optional(Nullable(Type.String())),
  no_tls_verify: Type.Optional(Type.Boolean()),
  peer_certificates: Type.Optional(Nullable(Type.Array(Type.Object({ data: Type.String(), format: Type.String() }, open)))),
  server_name: Type.Optional(Nullable(Type.String())),
  tls_version: Type.Optional(Nullable(Type.String())),
  t0: Type.Optional(Type.Number()),
  t: Type.Optional(Type.Number()),
  transaction_id: Type.Optional(Type.Number()),
}, open);

// ---- df-001 HTTP -------------------------------------------------------------------------
/** A body is a string, or {format:"base64", data} for bytes that are not UTF-8. */
export const HttpBody = Type.Union([Type.String(), Type.Object({ format: Type.String(), data: Type.String() }, open), Type.Null()]);

export const HttpRequestEntry = Type.Object({
  failure: FailureField,
  request: Type.Object({
    body: Type.Optional(HttpBody),
    headers: Type.Optional(Type.Record(Type.String(), Type.Any())),
    method: Type.String(),
    tor: Type.Optional(Type.Any()),
    url: Type.String(),
  }, open),
  response: Type.Optional(Nullable(Type.Object({
    body: Type.Optional(HttpBody),
    body_is_truncated: Type.Optional(Type.Boolean()),
    code: Type.Optional(Nullable(Type.Number())),
    headers: Type.Optional(Nullable(Type.Record(Type.String(), Type.Any()))),
  }, open))),
  t0: Type.Optional(Type.Number()),
  t: Type.Optional(Type.Number()),
  transaction_id: Type.Optional(Type.Number()),
}, open);

// ---- web_connectivity (ts-017) ------------------------------------------------------------
export const WebConnectivityControl = Type.Object({
  tcp_connect: Type.Optional(Type.Record(Type.String(), Type.Object({ status: Type.Boolean(), failure: FailureField }, open))),
  tls_handshake: Type.Optional(Type.Record(Type.String(), Type.Object({ server_name: Type.Optional(Type.String()), status: Type.Boolean(), failure: FailureField }, open))),
  http_request: Type.Optional(Type.Object({
    body_length: Type.Optional(Type.Number()),
    failure: FailureField,
    title: Type.Optional(Type.String()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    status_code: Type.Optional(Type.Number()),
  }, open)),
  dns: Type.Optional(Type.Object({ failure: FailureField, addrs: Type.Array(Type.String()) }, open)),
}, open);

export const WebConnectivityKeys = Type.Object({
  client_resolver: Type.Optional(Nullable(Type.String())),
  queries: Type.Optional(Nullable(Type.Array(DnsQuery))),
  tcp_connect: Type.Optional(Nullable(Type.Array(TcpConnect))),
  tls_handshakes: Type.Optional(Nullable(Type.Array(TlsHandshake))),
  requests: Type.Optional(Nullable(Type.Array(HttpRequestEntry))),
  control: Type.Optional(Nullable(WebConnectivityControl)),
  control_failure: Type.Optional(FailureField),
  dns_experiment_failure: Type.Optional(FailureField),
  http_experiment_failure: Type.Optional(FailureField),
  dns_consistency: Type.Optional(Nullable(Type.String())),   // "consistent" | "inconsistent"
  body_length_match: Type.Optional(Nullable(Type.Boolean())),
  body_proportion: Type.Optional(Nullable(Type.Number())),
  status_code_match: Type.Optional(Nullable(Type.Boolean())),
  headers_match: Type.Optional(Nullable(Type.Boolean())),
  title_match: Type.Optional(Nullable(Type.Boolean())),
  accessible: Type.Optional(Nullable(Type.Boolean())),
  blocking: Type.Optional(Type.Union([Type.String(), Type.Boolean(), Type.Null()])), // "dns"|"tcp_ip"|"http-failure"|"http-diff"|false|null
}, open);

// ---- IM tests (ts-018 whatsapp, ts-019 facebook_messenger, ts-020 telegram, ts-029 signal) --
const ImBase = {
  queries: Type.Optional(Nullable(Type.Array(DnsQuery))),
  tcp_connect: Type.Optional(Nullable(Type.Array(TcpConnect))),
  tls_handshakes: Type.Optional(Nullable(Type.Array(TlsHandshake))),
  requests: Type.Optional(Nullable(Type.Array(HttpRequestEntry))),
};
const Status = Type.Optional(Nullable(Type.String())); // "ok" | "blocked"
const Tri = Type.Optional(Nullable(Type.Boolean()));

export const WhatsappKeys = Type.Object({
  ...ImBase,
  registration_server_failure: Type.Optional(FailureField),
  registration_server_status: Status,
  whatsapp_endpoints_blocked: Type.Optional(Type.Array(Type.String())),
  whatsapp_endpoints_dns_inconsistent: Type.Optional(Type.Array(Type.String())),
  whatsapp_endpoints_status: Status,
  whatsapp_web_failure: Type.Optional(FailureField),
  whatsapp_web_status: Status,
}, open);

export const FacebookMessengerKeys = Type.Object({
  ...ImBase,
  facebook_b_api_dns_consistent: Tri, facebook_b_api_reachable: Tri,
  facebook_b_graph_dns_consistent: Tri, facebook_b_graph_reachable: Tri,
  facebook_edge_dns_consistent: Tri, facebook_edge_reachable: Tri,
  facebook_external_cdn_dns_consistent: Tri, facebook_external_cdn_reachable: Tri,
  facebook_scontent_cdn_dns_consistent: Tri, facebook_scontent_cdn_reachable: Tri,
  facebook_star_dns_consistent: Tri, facebook_star_reachable: Tri,
  facebook_stun_dns_consistent: Tri, facebook_stun_reachable: Tri,
  facebook_dns_blocking: Tri,
  facebook_tcp_blocking: Tri,
}, open);

export const TelegramKeys = Type.Object({
  ...ImBase,
  telegram_http_blocking: Tri,
  telegram_tcp_blocking: Tri,
  telegram_web_failure: Type.Optional(FailureField),
  telegram_web_status: Status,
}, open);

export const SignalKeys = Type.Object({
  ...ImBase,
  signal_backend_status: Status,
  signal_backend_failure: Type.Optional(FailureField),
}, open);

// ---- vigil_throughput (Vigil's own; docs/throughput.md) ------------------------------------
export const ThroughputSample = Type.Object({
  url: Type.String(),
  role: Type.Union([Type.Literal('target'), Type.Literal('control')]),
  bytes: Type.Number({ minimum: 0 }),
  /** seconds from the first response byte to the last */
  duration_s: Type.Number({ minimum: 0 }),
  /** kilobits per second over duration_s; null when the download failed */
  rate_kbps: Nullable(Type.Number({ minimum: 0 })),
  failure: FailureField,
  t0: Type.Optional(Type.Number()),
  t: Type.Optional(Type.Number()),
}, open);

export const ThroughputKeys = Type.Object({
  target: Type.String(),                        // platform id measured
  samples: Type.Array(ThroughputSample),
  target_rate_kbps: Nullable(Type.Number()),
  control_rate_kbps: Nullable(Type.Number()),
  /** target rate / control rate: well below 1 while control is fast means the target is throttled */
  rate_ratio: Nullable(Type.Number()),
  throttled: Nullable(Type.Boolean()),
}, open);

// ---- df-000 envelope ---------------------------------------------------------------------
export const MEASUREMENT_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$';

export const Envelope = Type.Object({
  annotations: Type.Optional(Nullable(Type.Record(Type.String(), Type.Any()))),
  data_format_version: Type.String({ maxLength: 32 }),
  input: Type.Optional(Type.Union([Type.String({ maxLength: 8192 }), Type.Array(Type.String()), Type.Null()])),
  measurement_start_time: Type.String({ pattern: MEASUREMENT_TIME_PATTERN }),
  measurement_uid: Type.Optional(Type.String({ maxLength: 128 })),
  probe_asn: Type.String({ pattern: '^AS\\d{1,10}$' }),
  probe_cc: Type.String({ pattern: '^[A-Z]{2}$' }),
  probe_ip: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  probe_network_name: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  report_id: Type.String({ maxLength: 256 }),
  resolver_asn: Type.Optional(Nullable(Type.String({ maxLength: 16 }))),
  resolver_ip: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  resolver_network_name: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  software_name: Type.String({ maxLength: 128 }),
  software_version: Type.String({ maxLength: 64 }),
  test_name: Type.String({ maxLength: 64, pattern: '^[a-z0-9_]+$' }),
  test_version: Type.String({ maxLength: 32 }),
  test_runtime: Type.Optional(Nullable(Type.Number())),
  test_start_time: Type.Optional(Type.String({ pattern: MEASUREMENT_TIME_PATTERN })),
  test_helpers: Type.Optional(Nullable(Type.Record(Type.String(), Type.Any()))),
  test_keys: Type.Record(Type.String(), Type.Any()),
}, open);

export type Envelope = Static<typeof Envelope>;
export type DnsQuery = Static<typeof DnsQuery>;
export type DnsAnswer = Static<typeof DnsAnswer>;
export type TcpConnect = Static<typeof TcpConnect>;
export type TlsHandshake = Static<typeof TlsHandshake>;
export type HttpRequestEntry = Static<typeof HttpRequestEntry>;
export type WebConnectivityControl = Static<typeof WebConnectivityControl>;
export type WebConnectivityKeys = Static<typeof WebConnectivityKeys>;
export type WhatsappKeys = Static<typeof WhatsappKeys>;
export type FacebookMessengerKeys = Static<typeof FacebookMessengerKeys>;
export type TelegramKeys = Static<typeof TelegramKeys>;
export type SignalKeys = Static<typeof SignalKeys>;
export type ThroughputSample = Static<typeof ThroughputSample>;
export type ThroughputKeys = Static<typeof ThroughputKeys>;

/** test_name → schema of its test_keys, for the tests Vigil runs. */
export const TEST_KEYS_SCHEMAS = {
  web_connectivity: WebConnectivityKeys,
  whatsapp: WhatsappKeys,
  facebook_messenger: FacebookMessengerKeys,
  telegram: TelegramKeys,
  signal: SignalKeys,
  vigil_throughput: ThroughputKeys,
} as const;
export type VigilTestName = keyof typeof TEST_KEYS_SCHEMAS;

/** Measurement of a known test: the envelope with typed test_keys. */
export type Measurement<K = Record<string, any>> = Omit<Envelope, 'test_keys'> & { test_keys: K };
