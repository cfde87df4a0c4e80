// whatsapp (ts-018, as probe-cli runs it today): TCP connect to every WhatsApp endpoint, HTTPS GET
// to the registration server and to WhatsApp Web. Endpoints are "blocked" only when all of them
// fail (one unreachable front-end out of sixteen is normal churn); the other two are blocked when
// their request fails.
import type { Measurement, WhatsappKeys } from '../../../model/measurement.js';
import { VigilError } from '../../../model/errors.js';
import { httpGet } from '../../../netx/http.js';
import type { ExperimentContext } from '../../context.js';
import { measure } from '../../envelope.js';
import { hostPort, imKeys, pool, tcpReach } from '../common.js';

export const TEST_NAME = 'whatsapp';
export const TEST_VERSION = '0.11.0';

export function whatsapp(ctx: ExperimentContext): Promise<Measurement<WhatsappKeys>> {
  const t = ctx.targets.whatsapp;
  if (!t) throw new VigilError('CONFIG', 'targets have no whatsapp section');
  return measure(ctx, TEST_NAME, TEST_VERSION, null, async (trace) => {
    const env = ctx.env;
    const [eps, reg, web] = await Promise.all([
      pool(t.endpoints, 8, async (s) => {
        const { host, port } = hostPort(s);
        return { host, r: await tcpReach(host, port, env, trace) };
      }),
      httpGet(t.registration_url, env, trace),
      httpGet(t.web_url, env, trace),
    ]);
    const blocked = [...new Set(eps.filter((e) => e.r.failure).map((e) => e.host))];
    const allFailed = eps.length > 0 && eps.every((e) => e.r.failure);
    return {
      ...imKeys(trace),
      registration_server_failure: reg.failure,
      registration_server_status: reg.failure ? 'blocked' : 'ok',
      whatsapp_endpoints_blocked: blocked,
      whatsapp_endpoints_dns_inconsistent: [],
      whatsapp_endpoints_status: allFailed ? 'blocked' : 'ok',
      whatsapp_web_failure: web.failure,
      whatsapp_web_status: web.failure ? 'blocked' : 'ok',
    };
  });
}
