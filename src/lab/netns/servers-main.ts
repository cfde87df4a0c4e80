// Runs inside the netns lab's servers namespace (spawned with `ip netns exec`): the truthful
// resolver, the liars the router DNATs DNS to, the sites on ports 80/443, the censor boxes the
// router DNATs to (interceptor, block page, rewriter) and the control helper. Writes the lab CA
// to the file named by argv[2], prints READY, and runs until killed.
import { writeFile } from 'node:fs/promises';
import { systemClock } from '../../model/time.js';
import { defaultNetEnv } from '../../netx/env.js';
import { startHelper } from '../../helper/server.js';
import { createCa } from '../ca.js';
import { Censor } from '../censor.js';
import { startDnsServer } from '../dns-server.js';
import { startWebServers } from '../web-server.js';
import { LAB_TIMEOUTS } from '../loopback.js';
import type { Technique } from '../techniques.js';
import type { Scenario } from '../scenarios/types.js';
import { NETNS_PLAN as P } from './plan.js';

/** A censor that always applies one technique to the given targets, for every source. */
function always(technique: Technique, targets: string[]): Censor {
  const s: Scenario = { name: technique, description: '', start: '1970-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z', events: [{ network: '*', targets, technique, start: '1970-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }] };
  return new Censor(s, systemClock);
}

async function main(): Promise<void> {
  const caPath = process.argv[2];
  if (!caPath) throw new Error('usage: servers-main CA_PATH');
  const ca = createCa('Vigil Lab CA');
  const rogueCa = createCa('Censor Interception CA');
  await startDnsServer({ address: P.resolver, port: 53, isp: true, hosting: P.hosting });
  for (const [technique, address] of Object.entries(P.liars)) {
    await startDnsServer({ address, port: 53, isp: true, hosting: P.hosting, censor: always(technique as Technique, ['*']) });
  }
  const ports = { http: 80, https: 443 };
  await startWebServers({ ca, rogueCa, hosting: P.hosting, ports });
  await startWebServers({ ca, rogueCa, hosting: P.interceptHosting, ports, censor: always('tls_intercept', ['*']) });
  await startWebServers({ ca, rogueCa, hosting: P.blockpageHosting, ports, censor: always('http_blockpage', ['*']) });
  await startWebServers({ ca, rogueCa, hosting: P.rewriteHosting, ports, censor: always('http_rewrite', ['*']) });
  const env = defaultNetEnv({ resolver: { kind: 'udp', address: P.resolver, port: 53 }, ca: [ca.certPem], timeouts: LAB_TIMEOUTS });
  await startHelper({ host: P.helperAddr, port: P.helperPort, env, maxInFlight: 256 });
  await writeFile(caPath, ca.certPem);
  process.stdout.write('READY\n');
}

main().catch((e) => {
  process.stderr.write(`servers: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
