// Runs inside the netns lab's client namespace (spawned with `ip netns exec`): a probe that reads
// one JSON request per line on stdin ({id, name, input}), runs the experiment with the real probe
// code and writes {id, measurement} (or {id, error}) per line on stdout.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { systemClock } from '../../model/time.js';
import { defaultNetEnv } from '../../netx/env.js';
import { runExperiment } from '../../probe/registry.js';
import type { ExperimentContext } from '../../probe/context.js';
import { networkByName } from '../networks.js';
import { labTargets } from '../targets.js';
import { LAB_TIMEOUTS } from '../loopback.js';
import { NETNS_PLAN as P } from './plan.js';

const caPem = readFileSync(process.argv[2], 'utf8');
const net = networkByName(P.network)!;
const ctx: ExperimentContext = {
  env: defaultNetEnv({ resolver: { kind: 'udp', address: P.resolver, port: 53 }, localAddress: P.clientAddr, ca: [caPem], timeouts: LAB_TIMEOUTS }),
  helperUrl: `http://${P.helperAddr}:${P.helperPort}/`,
  identity: { cc: net.cc, asn: net.asn, network: net.name, probeId: 'netns-probe' },
  clock: systemClock,
  targets: labTargets(caPem, P.hosting),
  reportId: 'netns-lab',
};

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let req: { id: number; name: string; input: string | null };
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  runExperiment(req.name, req.input, ctx).then(
    (measurement) => process.stdout.write(JSON.stringify({ id: req.id, measurement }) + '\n'),
    (e) => process.stdout.write(JSON.stringify({ id: req.id, error: String((e as Error).message) }) + '\n'),
  );
});
rl.on('close', () => process.exit(0));
