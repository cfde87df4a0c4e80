// telegram (ts-020): TCP connect and a plain-HTTP POST to every data centre on every port (80,
// 443: Telegram's DCs answer HTTP there), and an HTTPS GET to Telegram Web.
// telegram_tcp_blocking: no DC accepted a connection; telegram_http_blocking: no DC answered the
// POST; telegram_web_status: "blocked" when the web request failed.
import type { Measurement, TelegramKeys } from '../../../model/measurement.js';
import { VigilError } from '../../../model/errors.js';
import { endpoint } from '../../../netx/env.js';
import { httpGet, httpRequest } from '../../../netx/http.js';
import { tcpConnect } from '../../../netx/tcp.js';
import type { ExperimentContext } from '../../context.js';
import { measure } from '../../envelope.js';
import { imKeys, pool } from '../common.js';

export const TEST_NAME = 'telegram';
export const TEST_VERSION = '0.3.0';

export function telegram(ctx: ExperimentContext): Promise<Measurement<TelegramKeys>> {
  const t = ctx.targets.telegram;
  if (!t) throw new VigilError('CONFIG', 'targets have no telegram section');
  return measure(ctx, TEST_NAME, TEST_VERSION, null, async (trace) => {
    const env = ctx.env;
    const pairs = t.dcs.flatMap((ip) => t.ports.map((port) => ({ ip, port })));
    const webP = httpGet(t.web_url, env, trace);
    const dc = await pool(pairs, 8, async ({ ip, port }) => {
      const c = await tcpConnect(ip, port, env, trace);
      if (!c.socket) return { tcp: false, http: false };
      const r = await httpRequest(`http://${endpoint(ip, port)}/`, env, trace, { method: 'POST', body: '', socket: c.socket, maxRedirects: 0 });
      return { tcp: true, http: r.failure === null && r.response !== null };
    });
    const web = await webP;
    return {
      ...imKeys(trace),
      telegram_tcp_blocking: pairs.length > 0 && dc.every((d) => !d.tcp),
      telegram_http_blocking: pairs.length > 0 && dc.every((d) => !d.http),
      telegram_web_failure: web.failure,
      telegram_web_status: web.failure ? 'blocked' : 'ok',
    };
  });
}
