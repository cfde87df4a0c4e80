// Deterministic synthetic observations for engine comparisons and benchmarks: countries, networks
// and probes measuring a set of targets at a fixed interval, with seeded noise and optional
// injected blocks (one network, some targets, a time window, one layer). One observation per
// measurement, so the same generator feeds both insertMeasurements and insertObservations.
import { mulberry32 } from '../../model/rng.js';
import type { Observation, Layer } from '../../model/observation.js';
import type { StoredMeasurement } from '../store.js';
import type { Envelope } from '../../model/measurement.js';
import { ooniTime } from '../../model/time.js';

export interface SynthNetwork { cc: string; asn: number; network: string; probes: number }
export interface SynthBlock { asn: number; targets: string[]; start: number; end: number; layer: Layer; failure: string | null }

export interface SynthOptions {
  seed: number;
  start: number;            // Unix s
  seconds: number;          // length of the run
  interval: number;         // seconds between a probe's rounds
  networks: SynthNetwork[];
  targets: string[];
  blocks?: SynthBlock[];
  /** share of random anomalies outside blocks (default 0.02) */
  noise?: number;
}

export const SYNTH_TARGETS = ['twitter', 'instagram', 'youtube', 'facebook', 'whatsapp', 'telegram', 'wikipedia.org', 'bbc.com'];

export const SYNTH_NETWORKS: SynthNetwork[] = [
  { cc: 'VE', asn: 8048, network: 'CANTV', probes: 6 },
  { cc: 'VE', asn: 6306, network: 'Movistar', probes: 5 },
  { cc: 'VE', asn: 21826, network: 'Corporación Telemic', probes: 4 },
  { cc: 'BR', asn: 28573, network: 'Claro', probes: 5 },
  { cc: 'IR', asn: 197207, network: "MCCI 'Hamrah-e-Avval'", probes: 5 },
];

export function rng(seed: number): () => number {
  return mulberry32(seed);
}

const NOISE_FAILURES: Array<[Layer, string]> = [['tcp', 'generic_timeout_error'], ['dns', 'dns_nxdomain_error'], ['tls', 'connection_reset']];

/** Observations in time order, in batches of up to `batch`. */
export function* synthObservations(o: SynthOptions, batch = 5000): Generator<Observation[]> {
  const r = rng(o.seed);
  const noise = o.noise ?? 0.02;
  const probes = o.networks.flatMap((n) => Array.from({ length: n.probes }, (_, i) => ({ ...n, id: `s${o.seed}-${n.asn}-${i}`, phase: Math.floor(r() * o.interval) })));
  let out: Observation[] = [];
  let n = 0;
  for (let round = o.start; round < o.start + o.seconds; round += o.interval) {
    for (const p of probes) {
      if (r() < 0.1) continue;   // a probe skips a round now and then
      for (const [j, target] of o.targets.entries()) {
        const t = round + p.phase + j * 3;
        const block = o.blocks?.find((b) => b.asn === p.asn && b.targets.includes(target) && t >= b.start && t < b.end);
        let status: Observation['status'] = 'ok';
        let layer: Layer | null = null;
        let failure: string | null = null;
        const x = r();
        if (block && x < 0.95) {
          status = block.layer === 'http' ? 'confirmed' : 'anomaly';
          layer = block.layer;
          failure = block.failure;
        } else if (x < noise) {
          const [l, f] = NOISE_FAILURES[Math.floor(r() * NOISE_FAILURES.length)];
          status = 'anomaly';
          layer = l;
          failure = f;
        } else if (x < noise * 1.5) {
          status = 'failure';
        }
        out.push({
          uid: `s${o.seed}_${(n++).toString(36)}`, t, cc: p.cc, asn: p.asn, network: p.network, probe_id: p.id,
          test_name: 'web_connectivity', target, status, layer, failure, value: null,
        });
        if (out.length >= batch) {
          yield out;
          out = [];
        }
      }
    }
  }
  if (out.length) yield out;
}

/** The stored measurement an observation came from (a small but complete envelope). */
export function synthMeasurement(ob: Observation): StoredMeasurement {
  const input = ob.target.includes('.') ? `https://www.${ob.target}/` : `https://${ob.target}.com/`;
  const raw: Envelope = {
    annotations: { engine_name: 'vigil-synthetic' },
    data_format_version: '0.2.0',
    input,
    measurement_start_time: ooniTime(ob.t * 1000),
    measurement_uid: ob.uid,
    probe_asn: `AS${ob.asn}`,
    probe_cc: ob.cc,
    probe_ip: '127.0.0.1',
    probe_network_name: ob.network,
    report_id: `${ob.probe_id}-${Math.floor(ob.t / 86400)}`,
    resolver_asn: `AS${ob.asn}`,
    resolver_ip: '127.0.0.1',
    software_name: 'vigil-probe',
    software_version: '0.1.0',
    test_name: ob.test_name,
    test_version: '0.4.3',
    test_runtime: 1.5,
    test_start_time: ooniTime(ob.t * 1000),
    test_keys: { accessible: ob.status === 'ok', blocking: ob.status === 'ok' ? false : ob.layer ?? null, queries: [], requests: [] },
  } as Envelope;
  return { uid: ob.uid, t: ob.t, cc: ob.cc, asn: ob.asn, network: ob.network, probe_id: ob.probe_id, test_name: ob.test_name, input, raw };
}
