// facebook_messenger (ts-019): resolve each Messenger service; its DNS is consistent when an
// answer lies in Facebook's address space (AS32934; the targets file lists the prefixes, so the
// lab can name its own); then TCP connect on port 443. facebook_dns_blocking: some service's DNS
// is inconsistent; facebook_tcp_blocking: some service with consistent DNS is unreachable.
import { BlockList, isIP } from 'node:net';
import type { FacebookMessengerKeys, Measurement } from '../../../model/measurement.js';
import { VigilError } from '../../../model/errors.js';
import { resolveHost } from '../../../netx/dns.js';
import { tcpConnect } from '../../../netx/tcp.js';
import type { ExperimentContext } from '../../context.js';
import { measure } from '../../envelope.js';
import { imKeys, pool } from '../common.js';

export const TEST_NAME = 'facebook_messenger';
export const TEST_VERSION = '0.2.0';

function prefixList(prefixes: string[]): BlockList {
  const bl = new BlockList();
  for (const p of prefixes) {
    const [addr, len] = p.split('/');
    const fam = isIP(addr);
    if (!fam) throw new VigilError('BAD_INPUT', `facebook_messenger.expected_prefixes: not a prefix: ${p}`);
    const bits = len === undefined ? (fam === 4 ? 32 : 128) : Number(len);
    bl.addSubnet(addr, bits, fam === 4 ? 'ipv4' : 'ipv6');
  }
  return bl;
}

export function facebookMessenger(ctx: ExperimentContext): Promise<Measurement<FacebookMessengerKeys>> {
  const t = ctx.targets.facebook_messenger;
  if (!t) throw new VigilError('CONFIG', 'targets have no facebook_messenger section');
  const fb = prefixList(t.expected_prefixes);
  const inFb = (ip: string) => fb.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  return measure(ctx, TEST_NAME, TEST_VERSION, null, async (trace) => {
    const env = ctx.env;
    const keys: Record<string, unknown> = {};
    let dnsBlocking = false;
    let tcpBlocking = false;
    await pool(Object.entries(t.services), 8, async ([svc, host]) => {
      const d = await resolveHost(host, env, trace);
      const consistent = !d.failure && d.addrs.some(inFb);
      keys[`facebook_${svc}_dns_consistent`] = consistent;
      if (!consistent) {
        dnsBlocking = true;
        keys[`facebook_${svc}_reachable`] = null;
        return;
      }
      let reachable = false;
      for (const ip of d.addrs.filter(inFb)) {
        const c = await tcpConnect(ip, t.port, env, trace);
        if (c.socket) {
          c.socket.destroy();
          reachable = true;
          break;
        }
      }
      keys[`facebook_${svc}_reachable`] = reachable;
      if (!reachable) tcpBlocking = true;
    });
    return { ...imKeys(trace), ...keys, facebook_dns_blocking: dnsBlocking, facebook_tcp_blocking: tcpBlocking } as FacebookMessengerKeys;
  });
}
