// signal (ts-029): HTTPS GET to each Signal backend, verified against Signal's own CA when the
// targets give one (Signal pins it), plus DNS lookups of the status hosts. Any failing backend
// makes signal_backend_status "blocked", with the first failure in signal_backend_failure.
import type { Measurement, SignalKeys } from '../../../model/measurement.js';
import { VigilError } from '../../../model/errors.js';
import { resolveHost } from '../../../netx/dns.js';
import { httpGet } from '../../../netx/http.js';
import type { ExperimentContext } from '../../context.js';
import { measure } from '../../envelope.js';
import { imKeys, pool } from '../common.js';

export const TEST_NAME = 'signal';
export const TEST_VERSION = '0.2.3';

export function signal(ctx: ExperimentContext): Promise<Measurement<SignalKeys>> {
  const t = ctx.targets.signal;
  if (!t) throw new VigilError('CONFIG', 'targets have no signal section');
  return measure(ctx, TEST_NAME, TEST_VERSION, null, async (trace) => {
    const env = ctx.env;
    const ca = t.ca && t.ca.length ? [...(env.ca ?? []), ...t.ca] : undefined;
    const [res] = await Promise.all([
      pool(t.urls, 6, (u) => httpGet(u, env, trace, { ca })),
      pool(t.dns_hosts ?? [], 4, (h) => resolveHost(h, env, trace)),
    ]);
    const failed = res.find((r) => r.failure);
    return {
      ...imKeys(trace),
      signal_backend_status: failed ? 'blocked' : 'ok',
      signal_backend_failure: failed ? failed.failure : null,
    };
  });
}
