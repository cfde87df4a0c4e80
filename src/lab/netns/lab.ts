// The netns lab (DESIGN.md §7, root only): three network namespaces — client ↔ router ↔ servers
// — joined by veth pairs created directly inside them, with the censorship done by the router's
// kernel (nftables DNAT and DROP, iptables string match + REJECT tcp-reset, tc tbf). The servers
// and the probe are node children started with `ip netns exec`. Nothing outside the lab's own
// namespaces is touched; close() kills the children and deletes the namespaces.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import type { Measurement } from '../../model/measurement.js';
import { VigilError } from '../../model/errors.js';
import { networkByName } from '../networks.js';
import type { Scenario } from '../scenarios/types.js';
import type { Technique } from '../techniques.js';
import { NETNS_PLAN as P, netnsNames, type NetnsNames } from './plan.js';
import { emptyRules, routerNftScript, rulesFor, serversNftScript } from './router.js';

export interface NetnsLab {
  names: NetnsNames;
  caPem: string;
  /** runs one experiment in the client namespace with the real probe code */
  run(name: string, input: string | null): Promise<Measurement>;
  /** replaces the censor's rules with those of these techniques (empty: no censorship) */
  apply(events: Array<{ technique: Technique; targets: string[] }>): Promise<void>;
  /** applies the scenario's events active at `now` for the client's network (the scenario clock) */
  sync(scenario: Scenario, now: number): Promise<Technique[]>;
  close(): Promise<void>;
}

/** Why the netns lab cannot run here, or null when it can. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'the netns lab needs Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the netns lab needs root (network namespaces, nftables, tc)';
  for (const tool of ['/usr/sbin/nft', '/usr/sbin/iptables', '/usr/sbin/tc']) {
    if (!existsSync(tool) && !existsSync(tool.replace('/usr/sbin', '/sbin'))) return `the netns lab needs ${tool.split('/').pop()}`;
  }
  return null;
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) reject(new VigilError('NETWORK', `netns lab: ${cmd} ${args.join(' ')}: ${String(stderr || err.message).trim().split('\n')[0]}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** node argv for a sibling entry point, through tsx when running from the TypeScript sources. */
function nodeArgs(entry: string): string[] {
  const ts = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${entry}.${ts ? 'ts' : 'js'}`, import.meta.url));
  return ts ? ['--import', 'tsx', file] : [file];
}

export async function startNetnsLab(): Promise<NetnsLab> {
  const why = netnsUnavailable();
  if (why) throw new VigilError('CONFIG', why);
  const names = netnsNames(`vgl-${process.pid}-${randomBytes(3).toString('hex')}`);
  const dir = await mkdtemp(join(tmpdir(), 'vigil-netns-'));
  const children: ChildProcess[] = [];
  const created: string[] = [];
  const close = async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.pid) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await exited;
      }
    }
    for (const ns of created.splice(0)) await run('ip', ['netns', 'del', ns]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { client: C, router: R, servers: S } = names;
    for (const ns of [C, R, S]) {
      await run('ip', ['netns', 'add', ns]);
      created.push(ns);
    }
    // veth pairs are created inside the namespaces: the host's interface list never changes
    await run('ip', ['link', 'add', 'c0', 'netns', C, 'type', 'veth', 'peer', 'name', 'r0', 'netns', R]);
    await run('ip', ['link', 'add', 'r1', 'netns', R, 'type', 'veth', 'peer', 'name', 's0', 'netns', S]);
    const ipn = (ns: string, ...a: string[]) => run('ip', ['-n', ns, ...a]);
    for (const [ns, devs] of [[C, ['lo', 'c0']], [R, ['lo', 'r0', 'r1']], [S, ['lo', 's0']]] as const) {
      for (const d of devs) await ipn(ns, 'link', 'set', d, 'up');
    }
    await ipn(C, 'addr', 'add', `${P.clientAddr}/${P.clientPrefixLen}`, 'dev', 'c0');
    await ipn(C, 'route', 'add', 'default', 'via', P.clientGateway);
    await ipn(R, 'addr', 'add', `${P.clientGateway}/${P.clientPrefixLen}`, 'dev', 'r0');
    await ipn(R, 'addr', 'add', `${P.routerServersAddr}/${P.linkPrefixLen}`, 'dev', 'r1');
    await ipn(R, 'route', 'add', P.serversLocalRange, 'via', P.serversLinkAddr);
    await run('ip', ['netns', 'exec', R, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    await ipn(S, 'addr', 'add', `${P.serversLinkAddr}/${P.linkPrefixLen}`, 'dev', 's0');
    await ipn(S, 'route', 'add', 'default', 'via', P.routerServersAddr);
    // every address of the servers' range is local there (sites, resolvers, helper, censor boxes)
    await ipn(S, 'route', 'add', 'local', P.serversLocalRange, 'dev', 'lo');

    const cwd = repoRoot();
    const caPath = join(dir, 'ca.pem');
    const servers = spawn('ip', ['netns', 'exec', S, process.execPath, ...nodeArgs('servers-main'), caPath], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(servers);
    let serversErr = '';
    servers.stderr!.on('data', (d) => { serversErr = (serversErr + d).slice(-2000); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new VigilError('NETWORK', `netns lab: servers did not start in 30 s ${serversErr}`)), 30_000);
      const rl = createInterface({ input: servers.stdout! });
      rl.on('line', (l) => { if (l === 'READY') { clearTimeout(timer); resolve(); } });
      servers.once('exit', (code) => { clearTimeout(timer); reject(new VigilError('NETWORK', `netns lab: servers exited (${code}): ${serversErr.trim().split('\n').slice(-3).join(' | ')}`)); });
    });
    const caPem = await readFile(caPath, 'utf8');

    const probe = spawn('ip', ['netns', 'exec', C, process.execPath, ...nodeArgs('probe-main'), caPath], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(probe);
    let probeErr = '';
    probe.stderr!.on('data', (d) => { probeErr = (probeErr + d).slice(-2000); });
    const pending = new Map<number, { resolve: (m: Measurement) => void; reject: (e: Error) => void }>();
    createInterface({ input: probe.stdout! }).on('line', (l) => {
      let msg: { id: number; measurement?: Measurement; error?: string };
      try { msg = JSON.parse(l); } catch { return; }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.measurement) p.resolve(msg.measurement);
      else p.reject(new VigilError('INTERNAL', `netns probe: ${msg.error}`));
    });
    probe.once('exit', (code) => {
      for (const p of pending.values()) p.reject(new VigilError('INTERNAL', `netns probe exited (${code}): ${probeErr.trim().split('\n').slice(-3).join(' | ')}`));
      pending.clear();
    });
    let nextId = 1;

    const apply = async (events: Array<{ technique: Technique; targets: string[] }>) => {
      const rules = emptyRules();
      for (const e of events) rulesFor(e.technique, e.targets, rules);
      await run('ip', ['netns', 'exec', R, 'nft', '-f', '-'], routerNftScript(rules.nft));
      await run('ip', ['netns', 'exec', R, 'iptables', '-F', 'FORWARD']);
      for (const a of rules.iptables) await run('ip', ['netns', 'exec', R, 'iptables', ...a]);
      await run('ip', ['netns', 'exec', R, 'tc', 'qdisc', 'del', 'dev', 'r0', 'root']).catch(() => {}); // none yet: fine
      for (const a of rules.tc) await run('ip', ['netns', 'exec', R, 'tc', ...a]);
      await run('ip', ['netns', 'exec', S, 'nft', '-f', '-'], serversNftScript(rules.serversNft));
    };

    return {
      names,
      caPem,
      run(name, input) {
        if (probe.exitCode !== null) return Promise.reject(new VigilError('INTERNAL', `netns probe is not running: ${probeErr}`));
        const id = nextId++;
        return new Promise<Measurement>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          probe.stdin!.write(JSON.stringify({ id, name, input }) + '\n');
        });
      },
      apply,
      async sync(scenario, now) {
        const net = networkByName(P.network)!.name;
        const active = scenario.events.filter((e) => (e.network === '*' || e.network === net) && now >= Date.parse(e.start) && now < Date.parse(e.end));
        await apply(active);
        return active.map((e) => e.technique);
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
