// The df-000 envelope around an experiment's test_keys (DESIGN.md §2): probe_ip is always
// "127.0.0.1" (a probe's address is never stored), the probe's install id goes in
// annotations.probe_id, measurement_start_time comes from the injected clock (the lab's virtual
// clock works), test_runtime from the monotonic clock.
import type { Measurement } from '../model/measurement.js';
import { ooniTime } from '../model/time.js';
import { Trace } from '../netx/trace.js';
import type { ExperimentContext } from './context.js';

export const SOFTWARE_NAME = 'vigil-probe';
export const SOFTWARE_VERSION = '0.1.0';

export async function measure<K extends object>(
  ctx: ExperimentContext,
  testName: string,
  testVersion: string,
  input: string | null,
  body: (trace: Trace) => Promise<K>,
): Promise<Measurement<K>> {
  const start = ctx.clock.now();
  const t0 = performance.now();
  const trace = new Trace(t0);
  let keys: K;
  try {
    keys = await body(trace);
  } finally {
    trace.close();
  }
  const id = ctx.identity;
  const m: Measurement<K> = {
    annotations: { ...(id.annotations ?? {}), probe_id: id.probeId, engine_name: 'vigil', platform: process.platform },
    data_format_version: '0.2.0',
    input,
    measurement_start_time: ooniTime(start),
    probe_asn: `AS${id.asn}`,
    probe_cc: id.cc,
    probe_ip: '127.0.0.1',
    probe_network_name: id.network,
    report_id: ctx.reportId,
    resolver_asn: id.resolverAsn != null ? `AS${id.resolverAsn}` : null,
    resolver_ip: id.resolverIp ?? null,
    resolver_network_name: null,
    software_name: SOFTWARE_NAME,
    software_version: SOFTWARE_VERSION,
    test_name: testName,
    test_version: testVersion,
    test_runtime: Math.round(performance.now() - t0) / 1000,
    test_start_time: ooniTime(start),
    test_helpers: ctx.helperUrl ? { backend: { address: ctx.helperUrl, type: 'https' } } : null,
    test_keys: keys,
  };
  return m;
}
