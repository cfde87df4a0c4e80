// The loopback lab (DESIGN.md §7): a simulated country on 127.0.0.0/8, for any user. One DNS
// resolver per simulated network plus a clean one outside, the platforms' HTTP/HTTPS servers, the
// censor in front of them, and the control helper outside the censored networks. Public API for
// `vigil lab` and `vigil demo`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../model/time.js';
import { VigilError } from '../model/errors.js';
import { defaultNetEnv, type NetEnv } from '../netx/env.js';
import type { Targets } from '../probe/targets.js';
import { createCa } from './ca.js';
import { Censor } from './censor.js';
import { LabClock } from './clock.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { startHelper } from '../helper/server.js';
import { startWhoamiDns } from '../helper/whoami-dns.js';
import { HELPER_ADDRESS, NETWORKS, OUTSIDE, OUTSIDE_CLIENT_ADDRESS, PREFIX_TABLE_PATH, networkByName, probeAddress } from './networks.js';
import type { Scenario } from './scenarios/types.js';
import { labTargets } from './targets.js';
import { startWebServers, type WebServers } from './web-server.js';

export interface LabNetworkInfo {
  name: string;
  asn: number;
  cc: string;
  resolver: { address: string; port: number };
  probeAddresses: string[];
}

export interface Lab {
  networks: LabNetworkInfo[];
  /** the NetEnv of probe `probeIndex` of a network (any index below 62500; probeAddresses lists the first few) */
  envFor(network: string, probeIndex: number): NetEnv;
  /** a NetEnv outside the censored networks (what the control helper uses) */
  outsideEnv(): NetEnv;
  helperUrl: string;
  targets: Targets;
  /** targets written as a file, for `vigil probe --targets` */
  targetsPath: string;
  caPem: string;
  /** the lab CA as a file, for manual runs */
  caPath: string;
  prefixTablePath: string;
  outsideResolver: { address: string; port: number };
  /** the whoami DNS zone served by the helper (resolve a name under it through a network's resolver) */
  whoamiZone: string;
  ports: { http: number; https: number };
  scenario: Scenario;
  clock: Clock;
  censor: Censor;
  close(): Promise<void>;
}

export interface LoopbackLabOptions {
  scenario: Scenario;
  /** default: a LabClock frozen at the scenario's start (advance it to move through the scenario) */
  clock?: Clock;
  /** how many probe addresses each network lists (default 8) */
  probesPerNetwork?: number;
  /** step deadlines for the lab's NetEnvs (short by default: blackholes and stalls cost a timeout) */
  timeouts?: Partial<NetEnv['timeouts']>;
  /** the control helper's answer cache, ms (default 0: every request measured) */
  helperCacheMs?: number;
}

export const LAB_TIMEOUTS: NetEnv['timeouts'] = { dns: 1500, connect: 2000, tls: 2000, http: 5000 };

export async function startLoopbackLab(opts: LoopbackLabOptions): Promise<Lab> {
  const clock = opts.clock ?? new LabClock(opts.scenario.start);
  const censor = new Censor(opts.scenario, clock);
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  };
  try {
    const ca = createCa('Vigil Lab CA');
    const rogueCa = createCa('Censor Interception CA');
    const dir = await mkdtemp(join(tmpdir(), 'vigil-lab-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));

    const web: WebServers = await startWebServers({ ca, rogueCa, censor });
    closers.push(() => web.close());

    // The helper's whoami zone (issue 10): the ISP resolvers forward it, so probes learn them.
    const whoami = await startWhoamiDns({ host: HELPER_ADDRESS, port: 0 });
    closers.push(() => whoami.close());
    const resolvers = new Map<string, DnsServer>();
    for (const n of NETWORKS) {
      const d = await startDnsServer({ address: n.resolver, censor, isp: true, whoami });
      closers.push(() => d.close());
      resolvers.set(n.name, d);
    }
    const outside = await startDnsServer({ address: OUTSIDE.resolver, censor, isp: false });
    closers.push(() => outside.close());

    const timeouts = { ...LAB_TIMEOUTS, ...(opts.timeouts ?? {}) };
    const base = { ports: web.ports, ca: [ca.certPem], loopbackIsNormal: true, timeouts };
    const outsideEnv = (): NetEnv => defaultNetEnv({ ...base, resolver: { kind: 'udp', address: outside.address, port: outside.port }, localAddress: OUTSIDE_CLIENT_ADDRESS });

    const helper = await startHelper({ host: HELPER_ADDRESS, port: 0, env: outsideEnv(), maxInFlight: 1024, cacheMs: opts.helperCacheMs ?? 0 });
    closers.push(() => helper.close());

    const targets = labTargets(ca.certPem);
    const targetsPath = join(dir, 'targets.json');
    const caPath = join(dir, 'lab-ca.pem');
    await writeFile(targetsPath, JSON.stringify(targets, null, 2) + '\n');
    await writeFile(caPath, ca.certPem);

    const perNet = opts.probesPerNetwork ?? 8;
    const networks: LabNetworkInfo[] = NETWORKS.map((n) => ({
      name: n.name,
      asn: n.asn,
      cc: n.cc,
      resolver: { address: resolvers.get(n.name)!.address, port: resolvers.get(n.name)!.port },
      probeAddresses: Array.from({ length: perNet }, (_, i) => probeAddress(n, i)),
    }));

    return {
      networks,
      envFor(network: string, probeIndex: number): NetEnv {
        const n = networkByName(network);
        const r = n && resolvers.get(n.name);
        if (!n || !r) throw new VigilError('USAGE', `no lab network "${network}" (have ${NETWORKS.map((x) => x.name).join(', ')})`);
        return defaultNetEnv({ ...base, resolver: { kind: 'udp', address: r.address, port: r.port }, localAddress: probeAddress(n, probeIndex) });
      },
      outsideEnv,
      helperUrl: helper.url,
      targets,
      targetsPath,
      caPem: ca.certPem,
      caPath,
      prefixTablePath: PREFIX_TABLE_PATH,
      outsideResolver: { address: outside.address, port: outside.port },
      whoamiZone: whoami.zone,
      ports: web.ports,
      scenario: opts.scenario,
      clock,
      censor,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
