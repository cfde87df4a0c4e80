// vigil_throughput (Vigil's own, docs/throughput.md): download a same-size object from a
// platform endpoint and from a control endpoint, one after the other so they never share the
// link, and compare the rates. Throttling shows as a target rate well below the control rate.
import type { Measurement, ThroughputKeys, ThroughputSample } from '../../../model/measurement.js';
import { VigilError } from '../../../model/errors.js';
import { httpGet } from '../../../netx/http.js';
import type { Trace } from '../../../netx/trace.js';
import type { NetEnv } from '../../../netx/env.js';
import type { ExperimentContext } from '../../context.js';
import { measure } from '../../envelope.js';

export const TEST_NAME = 'vigil_throughput';
export const TEST_VERSION = '0.1.0';
/** ratio below which a download counts as throttled (docs/throughput.md) */
export const THROTTLE_RATIO = 0.5;
/** bytes read per object at most (the body cap is raised to this for the download) */
export const MAX_OBJECT = 8 << 20;

async function sample(url: string, role: 'target' | 'control', env: NetEnv, trace: Trace): Promise<ThroughputSample> {
  const t0 = trace.now();
  const r = await httpGet(url, env, trace);
  const t = trace.now();
  // A download cut by the deadline still has a rate: strong throttling often ends that way.
  if (!r.response || r.response.body.length === 0) return { url, role, bytes: 0, duration_s: 0, rate_kbps: null, failure: r.failure ?? 'eof_error', t0, t };
  const dur = Math.max((r.response.lastByteAt - r.response.firstByteAt) / 1000, 1e-6);
  const bytes = r.response.body.length;
  return { url, role, bytes, duration_s: Math.round(dur * 1e6) / 1e6, rate_kbps: Math.round((bytes * 8) / 1000 / dur * 1000) / 1000, failure: r.failure, t0, t };
}

export function vigilThroughput(ctx: ExperimentContext, input: string): Promise<Measurement<ThroughputKeys>> {
  const entry = (ctx.targets.throughput ?? []).find((e) => e.target === input || e.url === input);
  if (!entry) throw new VigilError('BAD_INPUT', `vigil_throughput: no throughput target "${input}" in the targets`);
  return measure(ctx, TEST_NAME, TEST_VERSION, entry.url, async (trace) => {
    // bodies are not kept: only their size and timing matter here
    const env: NetEnv = { ...ctx.env, caps: { ...ctx.env.caps, body: Math.max(ctx.env.caps.body, MAX_OBJECT) } };
    const target = await sample(entry.url, 'target', env, trace);
    const control = await sample(entry.control_url, 'control', env, trace);
    const tr = target.rate_kbps;
    const cr = control.rate_kbps;
    const ratio = tr !== null && cr !== null && cr > 0 ? Math.round((tr / cr) * 10000) / 10000 : null;
    return {
      target: entry.target,
      samples: [target, control],
      target_rate_kbps: tr,
      control_rate_kbps: cr,
      rate_ratio: ratio,
      throttled: ratio === null ? null : ratio < THROTTLE_RATIO,
      x_requests: trace.requests.map((q) => ({ ...q, response: q.response ? { ...q.response, body: null } : null })),
    } as ThroughputKeys;
  });
}
