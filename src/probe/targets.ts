// Targets are data (issue 2 §4): which URLs web_connectivity measures and which endpoints the IM
// and throughput experiments contact. The built-in set is the real internet (DESIGN.md §3's
// platforms plus control sites); the lab writes its own file pointing at its servers.
import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { validate } from '../model/validate.js';
import { VigilError } from '../model/errors.js';

const Url = Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048 });
const HostPort = Type.String({ pattern: '^[^\\s:]+:\\d{1,5}$|^\\[[0-9a-fA-F:.]+\\]:\\d{1,5}$', maxLength: 300 });

export const TargetsSchema = Type.Object({
  /** web_connectivity inputs; category "control" marks sites expected to work everywhere */
  web: Type.Array(Type.Object({ url: Url, category: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }), { maxItems: 10000 }),
  /** ts-018 */
  whatsapp: Type.Optional(Type.Object({
    registration_url: Url,
    web_url: Url,
    endpoints: Type.Array(HostPort, { maxItems: 256 }),
  }, { additionalProperties: false })),
  /** ts-019: service key (stun, b_api, ...) → hostname; DNS is consistent when the address is in expected_prefixes */
  facebook_messenger: Type.Optional(Type.Object({
    services: Type.Record(Type.String({ pattern: '^[a-z_]+$' }), Type.String({ maxLength: 253 })),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    expected_prefixes: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 }),
  }, { additionalProperties: false })),
  /** ts-020 */
  telegram: Type.Optional(Type.Object({
    dcs: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
    ports: Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: 8 }),
    web_url: Url,
  }, { additionalProperties: false })),
  /** ts-029: every URL must answer over TLS verified against `ca` (Signal pins its own CA) */
  signal: Type.Optional(Type.Object({
    urls: Type.Array(Url, { maxItems: 64 }),
    ca: Type.Optional(Type.Array(Type.String({ maxLength: 20000 }), { maxItems: 8 })),
    dns_hosts: Type.Optional(Type.Array(Type.String({ maxLength: 253 }), { maxItems: 64 })),
  }, { additionalProperties: false })),
  /** vigil_throughput: same-size objects from a platform endpoint and a control endpoint */
  throughput: Type.Optional(Type.Array(Type.Object({
    target: Type.String({ pattern: '^[a-z0-9_.-]+$', maxLength: 128 }),
    url: Url,
    control_url: Url,
  }, { additionalProperties: false }), { maxItems: 256 })),
}, { additionalProperties: false });

export type Targets = Static<typeof TargetsSchema>;

/** Parses and validates targets JSON; a bad file is a BAD_INPUT error with a one-line reason. */
export function parseTargets(text: string, source = 'targets'): Targets {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new VigilError('BAD_INPUT', `${source}: not JSON (${(e as Error).message})`, { exitCode: 2 });
  }
  const r = validate(TargetsSchema, v);
  if (!r.ok) throw new VigilError('BAD_INPUT', `${source}: ${r.error}`, { exitCode: 2 });
  return r.value;
}

export async function loadTargets(path: string): Promise<Targets> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new VigilError('BAD_INPUT', `cannot read targets file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { exitCode: 2 });
  }
  return parseTargets(text, path);
}

// Facebook's address space (AS32934), for ts-019's DNS consistency check.
const FACEBOOK_PREFIXES = [
  '31.13.24.0/21', '31.13.64.0/18', '45.64.40.0/22', '57.141.0.0/16', '57.144.0.0/14', '66.220.144.0/20', '69.63.176.0/20',
  '69.171.224.0/19', '74.119.76.0/22', '102.132.96.0/20', '103.4.96.0/22', '129.134.0.0/16', '147.75.208.0/20',
  '157.240.0.0/16', '163.70.128.0/17', '163.77.128.0/17', '173.252.64.0/18', '179.60.192.0/22', '185.60.216.0/22',
  '185.89.216.0/22', '204.15.20.0/22', '2a03:2880::/32', '2620:0:1c00::/40',
];

export function defaultTargets(): Targets {
  return {
    web: [
      { url: 'https://twitter.com/', category: 'platform' },
      { url: 'https://x.com/', category: 'platform' },
      { url: 'https://www.instagram.com/', category: 'platform' },
      { url: 'https://www.youtube.com/', category: 'platform' },
      { url: 'https://www.facebook.com/', category: 'platform' },
      { url: 'https://www.messenger.com/', category: 'platform' },
      { url: 'https://web.whatsapp.com/', category: 'platform' },
      { url: 'https://telegram.org/', category: 'platform' },
      { url: 'https://signal.org/', category: 'platform' },
      { url: 'https://www.tiktok.com/', category: 'platform' },
      { url: 'https://www.wikipedia.org/', category: 'control' },
      { url: 'https://www.example.com/', category: 'control' },
      { url: 'https://www.gnu.org/', category: 'control' },
    ],
    whatsapp: {
      registration_url: 'https://v.whatsapp.net/v2/register',
      web_url: 'https://web.whatsapp.com/',
      endpoints: Array.from({ length: 16 }, (_, i) => `e${i + 1}.whatsapp.net:443`),
    },
    facebook_messenger: {
      services: {
        stun: 'stun.fbsbx.com',
        b_api: 'b-api.facebook.com',
        b_graph: 'b-graph.facebook.com',
        edge: 'edge-mqtt.facebook.com',
        external_cdn: 'external.xx.fbcdn.net',
        scontent_cdn: 'scontent.xx.fbcdn.net',
        star: 'star.c10r.facebook.com',
      },
      port: 443,
      expected_prefixes: FACEBOOK_PREFIXES,
    },
    telegram: {
      dcs: ['149.154.175.50', '149.154.167.51', '149.154.175.100', '149.154.167.91', '149.154.171.5', '95.161.76.100'],
      ports: [80, 443],
      web_url: 'https://web.telegram.org/',
    },
    signal: {
      urls: [
        'https://textsecure-service.whispersystems.org/',
        'https://storage.signal.org/',
        'https://api.directory.signal.org/',
        'https://cdn.signal.org/',
        'https://cdn2.signal.org/',
        'https://sfu.voip.signal.org/',
      ],
      dns_hosts: ['uptime.signal.org'],
    },
    throughput: [],
  };
}
