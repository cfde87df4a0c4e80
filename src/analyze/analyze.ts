// Measurement → observations (DESIGN.md §3): one observation per measurement and target, with
// Vigil's verdict recomputed from the raw test_keys (docs/methodology.md "Verdicts").
import { createHash } from 'node:crypto';
import type { Envelope } from '../model/measurement.js';
import type { Observation } from '../model/observation.js';
import { targetOf, isPlatform } from '../model/platforms.js';
import { measurementUid } from '../model/uid.js';
import { parseOoniTime } from '../model/time.js';
import type { StoredMeasurement } from '../store/store.js';
import { obj, str, type Obj } from './util.js';
import { analyzeWebConnectivity } from './web-connectivity.js';
import { analyzeFacebookMessenger, analyzeSignal, analyzeTelegram, analyzeWhatsapp } from './im.js';
import { analyzeThroughput } from './throughput.js';
import type { Verdict } from './verdict.js';

/** Tests Vigil has rules for; measurements of other tests are stored but yield no observation. */
export const JUDGED_TESTS = ['web_connectivity', 'whatsapp', 'facebook_messenger', 'telegram', 'signal', 'vigil_throughput'] as const;

/** A stable pseudonymous vantage-point id: a Vigil probe's install id, else a hash of the OONI
 *  report_id (one report = one probe run; OONI publishes no probe identity). */
export function probeIdOf(m: Pick<Envelope, 'annotations' | 'report_id'>): string {
  const pid = str(obj(m.annotations)?.probe_id);
  if (pid && pid.length <= 128) return pid;
  return 'r_' + createHash('sha256').update(m.report_id).digest('hex').slice(0, 16);
}

function inputOf(m: Envelope): string | null {
  if (typeof m.input === 'string') return m.input;
  if (Array.isArray(m.input)) return m.input.length ? String(m.input[0]) : null;
  return null;
}

export function verdictOf(m: Envelope): Verdict | null {
  const tk = obj(m.test_keys) as Obj | null;
  if (!tk) return null;
  const input = inputOf(m);
  switch (m.test_name) {
    case 'web_connectivity': {
      const target = targetOf(m.test_name, input);
      return target && input ? analyzeWebConnectivity(tk, input, m.probe_cc, target) : null;
    }
    case 'whatsapp': return analyzeWhatsapp(tk);
    case 'telegram': return analyzeTelegram(tk);
    case 'facebook_messenger': return analyzeFacebookMessenger(tk);
    case 'signal': return analyzeSignal(tk, m);
    case 'vigil_throughput': {
      const t = str(tk.target);
      const target = t && (isPlatform(t) || /^[a-z0-9.-]+$/.test(t)) ? t : targetOf(m.test_name, input);
      return target ? analyzeThroughput(tk, target) : null;
    }
    default: return null;
  }
}

/** The columns a measurement and its observations share (its uid and probe id are hashes:
 *  compute them once when both are needed). */
export type MeasurementColumns = Pick<StoredMeasurement, 'uid' | 't' | 'cc' | 'asn' | 'network' | 'probe_id' | 'test_name'>;

export function measurementColumns(m: Envelope): MeasurementColumns {
  return {
    uid: measurementUid(m),
    t: Math.floor(parseOoniTime(m.measurement_start_time) / 1000),
    cc: m.probe_cc,
    asn: Number(m.probe_asn.slice(2)),
    network: m.probe_network_name ?? '',
    probe_id: probeIdOf(m),
    test_name: m.test_name,
  };
}

export function analyzeMeasurement(m: Envelope, cols: MeasurementColumns = measurementColumns(m)): Observation[] {
  const v = verdictOf(m);
  if (!v) return [];
  return [{
    ...cols,
    target: v.target,
    status: v.status,
    layer: v.layer,
    failure: v.failure === null ? null : v.failure.slice(0, 256),
    value: v.value,
  }];
}

/** The probe's address is never stored (DESIGN.md §2): these envelope and test_keys fields hold it. */
const PROBE_ADDRESS_FIELDS = ['probe_ip'] as const;
const TEST_KEYS_ADDRESS_FIELDS = ['client_resolver_ip', 'probe_ip', 'client_ip'] as const;

export function scrubProbeAddress(m: Envelope): Envelope {
  const out: Envelope = { ...m };
  for (const k of PROBE_ADDRESS_FIELDS) if (k in out) (out as Record<string, unknown>)[k] = '127.0.0.1';
  const tk = obj(m.test_keys);
  if (tk && TEST_KEYS_ADDRESS_FIELDS.some((k) => k in tk)) {
    const t2: Obj = { ...tk };
    for (const k of TEST_KEYS_ADDRESS_FIELDS) if (k in t2) t2[k] = '127.0.0.1';
    // (OONI probes already write "[scrubbed]" wherever the address could appear in test_keys;
    // v0.5's x_dns_whoami records the resolver's egress address, not the probe's.)
    out.test_keys = t2;
  }
  return out;
}

export function toStoredMeasurement(m: Envelope, cols: MeasurementColumns = measurementColumns(m)): StoredMeasurement {
  return { ...cols, input: inputOf(m), raw: scrubProbeAddress(m) };
}
