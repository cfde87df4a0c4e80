// The network flags `vigil probe` and `vigil helper` share (--resolver, --local-address, --ca,
// --http-port, --https-port), parsed into a NetEnv in one place.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { UsageError } from '../model/errors.js';
import { defaultNetEnv, splitEndpoint, type NetEnv } from '../netx/env.js';
import { parseIntFlag } from './args.js';

export const NET_FLAGS = {
  resolver: { type: 'string' }, 'local-address': { type: 'string' }, ca: { type: 'string' },
  'http-port': { type: 'string' }, 'https-port': { type: 'string' },
} as const;

export function netEnvFromFlags(v: { resolver?: string; 'local-address'?: string; ca?: string; 'http-port'?: string; 'https-port'?: string }): NetEnv {
  const env = defaultNetEnv();
  if (v.resolver) {
    const e = splitEndpoint(v.resolver);
    if (!e || !isIP(e.ip)) throw new UsageError(`--resolver: expected IP:PORT (got "${v.resolver}")`);
    env.resolver = { kind: 'udp', address: e.ip, port: e.port };
  }
  if (v['local-address']) {
    if (!isIP(v['local-address'])) throw new UsageError(`--local-address: not an IP address: "${v['local-address']}"`);
    env.localAddress = v['local-address'];
  }
  if (v.ca) {
    try {
      env.ca = [readFileSync(v.ca, 'utf8')];
    } catch (e) {
      throw new UsageError(`--ca: cannot read ${v.ca}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const hp = parseIntFlag(v['http-port'], '--http-port', 1, 65535);
  const sp = parseIntFlag(v['https-port'], '--https-port', 1, 65535);
  if (hp || sp) env.ports = { http: hp, https: sp };
  return env;
}
