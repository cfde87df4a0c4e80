// `vigil lab`: starts the loopback lab (DESIGN.md §7) and prints how to point a probe at it,
// then runs until Ctrl-C. The scenario clock runs `--speed` times faster than real time.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from '../context.js';
import { parse, parseTime } from '../args.js';
import { UsageError } from '../../model/errors.js';
import { isoSeconds } from '../../model/time.js';
import { SCENARIOS, scenarioByName } from '../../lab/scenarios/index.js';
import { LabClock } from '../../lab/clock.js';
import { startLoopbackLab } from '../../lab/loopback.js';

const help = `usage: vigil lab [--scenario NAME] [--speed N] [--at TIME] [--list]

Starts the loopback lab: DNS resolvers per simulated network (CANTV, Movistar, Digitel) and
outside, the platforms' HTTP/HTTPS servers on 127.100.x addresses with a lab CA, the censor, and
the control helper. Prints the targets file, resolvers, helper URL and CA file to point a probe
at, writes them all to lab.json, and runs until Ctrl-C.

  --scenario NAME   scenario to play (default venezuela-2020; --list shows them)
  --speed N         virtual seconds per real second (default 60: the 6-hour scenario in 6 minutes;
                    0 freezes the clock)
  --at TIME         start the scenario clock at TIME (UTC) instead of the scenario's start
  --list            list the scenarios and exit
`;

const command: Command = {
  summary: 'a simulated country on this machine (loopback), for manual runs',
  help,
  async run(args, ctx) {
    const { values, positionals } = parse(args, {
      scenario: { type: 'string' },
      speed: { type: 'string' },
      at: { type: 'string' },
      list: { type: 'boolean' },
    }, false);
    void positionals;
    if (values.list) {
      for (const s of SCENARIOS) ctx.stdout.write(`${s.name.padEnd(16)} ${s.description}\n`);
      return 0;
    }
    const scenario = scenarioByName(values.scenario ?? 'venezuela-2020');
    const speed = values.speed === undefined ? 60 : Number(values.speed);
    if (!/^\d+(\.\d+)?$/.test(values.speed ?? '60') || !Number.isFinite(speed) || speed > 1e6) throw new UsageError(`--speed: expected a number between 0 and 1000000 (got "${values.speed}")`);
    const at = parseTime(values.at, '--at');
    const clock = new LabClock(at ?? scenario.start);
    const lab = await startLoopbackLab({ scenario, clock });
    clock.run(speed);

    const info = {
      scenario: scenario.name,
      helperUrl: lab.helperUrl,
      targetsPath: lab.targetsPath,
      caPath: lab.caPath,
      prefixTablePath: lab.prefixTablePath,
      ports: lab.ports,
      outsideResolver: lab.outsideResolver,
      networks: lab.networks.map((n) => ({ ...n, env: lab.envFor(n.name, 0) })),
    };
    const infoPath = join(dirname(lab.targetsPath), 'lab.json');
    await writeFile(infoPath, JSON.stringify(info, null, 2) + '\n');

    const out: string[] = [];
    out.push(`vigil lab: scenario ${scenario.name} — ${scenario.description}`);
    out.push(`clock: ${isoSeconds(clock.now())}, ${speed}× real time`);
    for (const e of scenario.events) out.push(`  ${e.start} → ${e.end}  ${e.network}: ${e.technique} on ${e.targets.join(', ')}`);
    out.push('', 'networks (a probe binds one of its network\'s addresses and uses its resolver):');
    for (const n of lab.networks) out.push(`  ${n.name.padEnd(9)} AS${n.asn} ${n.cc}  resolver udp ${n.resolver.address}:${n.resolver.port}  probe addresses ${n.probeAddresses[0]} … ${n.probeAddresses[n.probeAddresses.length - 1]}`);
    out.push(`  outside   resolver udp ${lab.outsideResolver.address}:${lab.outsideResolver.port} (clean)`);
    out.push('', `sites: 127.100.x.y, HTTP on port ${lab.ports.http} (for 80), HTTPS on port ${lab.ports.https} (for 443)`);
    out.push(`targets file:   ${lab.targetsPath}`);
    out.push(`lab CA:         ${lab.caPath}`);
    out.push(`control helper: ${lab.helperUrl}`);
    out.push(`prefix table:   ${lab.prefixTablePath}`);
    out.push(`everything, with a ready NetEnv per network: ${infoPath}`);
    out.push('', 'Ctrl-C stops the lab.', '');
    // listen for Ctrl-C before saying so: whoever reads the line may send it at once
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    ctx.stdout.write(out.join('\n'));
    await stopped;
    await lab.close();
    ctx.stdout.write('vigil lab: stopped\n');
    return 0;
  },
};
export default command;
