// Test and benchmark harness: starts real clickhouse-server processes (Debian's 18.16 package,
// which apt installs but does not start here) with a config written under a temp dir, listening
// on 127.0.0.1 only, on free ports. One server, or several as the shards of one cluster
// ("vigil") for a `Distributed` table on loopback. Nothing outside the temp dir is touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../../model/errors.js';

export const CLUSTER_NAME = 'vigil';

export interface ClickHouseServer {
  /** clickhouse://127.0.0.1:HTTP_PORT/DATABASE, ready for openStore() */
  url: string;
  httpPort: number;
  tcpPort: number;
  dir: string;
  stop(): Promise<void>;
}

export interface ClickHouseCluster {
  cluster: string;
  servers: ClickHouseServer[];
  stop(): Promise<void>;
}

/** The server binary: $CLICKHOUSE_SERVER, else Debian's path; null when not installed. */
export function clickHouseBinary(): string | null {
  const candidates = [process.env.CLICKHOUSE_SERVER, '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return null;
}

/**
 * For node:test's `skip` option: false when the server can run; a reason string when it is not
 * installed outside CI. In CI (process.env.CI set) a missing server is an error, never a skip,
 * because .ci/run installs it.
 */
export function clickHouseSkip(): false | string {
  if (clickHouseBinary()) return false;
  if (process.env.CI) throw new Error('clickhouse-server is not installed but CI is set: .ci/run must install the clickhouse-server package');
  return 'clickhouse-server not installed (apt-get install clickhouse-server); skipping ClickHouse tests';
}

/** Distinct free TCP ports on 127.0.0.1, held open together so they differ, then released. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<import('node:net').Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** remote_servers config: one shard per (host, tcpPort), one replica each. */
function remoteServersXml(cluster: string, shardTcpPorts: number[]): string {
  const shards = shardTcpPorts.map((p) =>
    `      <shard><internal_replication>false</internal_replication><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`).join('\n');
  return `  <remote_servers>\n    <${cluster}>\n${shards}\n    </${cluster}>\n  </remote_servers>\n`;
}

function configXml(dir: string, httpPort: number, tcpPort: number, extra: string): string {
  const d = xmlEscape(dir);
  // Caches are kept small: test servers share the machine with everything else.
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${d}/log/server.log</log>
    <errorlog>${d}/log/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <format_schema_path>${d}/format_schemas/</format_schema_path>
  <users_config>${d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
  <keep_alive_timeout>10</keep_alive_timeout>
${extra}</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval>
    </default>
  </quotas>
</yandex>
`;

// Children still running when the process exits are killed (a failed test must not leak servers).
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => { for (const c of live) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });
  }
}

async function waitForPing(httpPort: number, child: ChildProcess, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => { exited = code ?? -1; });
  while (Date.now() < deadline) {
    if (exited !== null) break;
    try {
      const r = await fetch(`http://127.0.0.1:${httpPort}/ping`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  let tail = '';
  try { tail = readFileSync(join(dir, 'log', 'server.err.log'), 'utf8').split('\n').slice(-5).join(' | '); } catch { /* no log */ }
  try { child.kill('SIGKILL'); } catch { /* gone */ }
  throw new VigilError('NETWORK', `clickhouse-server on 127.0.0.1:${httpPort} ${exited !== null ? `exited (${exited})` : 'did not answer /ping'}${tail ? `: ${tail}` : ''}`);
}

/** Starts one clickhouse-server; `extraConfig` is raw XML inserted into config.xml (remote_servers). */
type StartOptions = { tcpPort?: number; httpPort?: number; database?: string; extraConfig?: string; timeoutMs?: number };

/** Starts one server; with ports chosen here, a port taken between choosing and binding (other
 *  test files run at the same time) is retried on new ports. */
export async function startClickHouse(opts: StartOptions = {}): Promise<ClickHouseServer> {
  const tries = opts.httpPort === undefined && opts.tcpPort === undefined ? 3 : 1;
  for (let i = 1; ; i++) {
    try {
      return await startClickHouseOnce(opts);
    } catch (e) {
      if (i >= tries) throw e;
    }
  }
}

async function startClickHouseOnce(opts: StartOptions): Promise<ClickHouseServer> {
  const bin = clickHouseBinary();
  if (!bin) throw new VigilError('CONFIG', 'clickhouse-server is not installed');
  const [p1, p2] = await freePorts(2);
  const httpPort = opts.httpPort ?? p1;
  const tcpPort = opts.tcpPort ?? p2;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ch-'));
  for (const sub of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort, opts.extraConfig ?? ''));
  writeFileSync(join(dir, 'users.xml'), USERS_XML);
  const child = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: 'ignore' });
  track(child);
  try {
    await waitForPing(httpPort, child, dir, opts.timeoutMs ?? 30_000);
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let stopped = false;
  return {
    url: `clickhouse://127.0.0.1:${httpPort}/${opts.database ?? 'vigil'}`,
    httpPort,
    tcpPort,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        // SIGKILL at once: the data dir is deleted next, and a graceful 18.16 shutdown waits ~5 s.
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGKILL');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `shards` servers, each knowing the cluster CLUSTER_NAME made of all of them (one shard
 * per server, one replica per shard). The store's distributed mode then creates `*_local`
 * tables on each node and `Distributed` tables over them.
 */
export async function startClickHouseCluster(opts: { shards?: number; database?: string } = {}): Promise<ClickHouseCluster> {
  const n = opts.shards ?? 2;
  const ports = await freePorts(2 * n);
  const tcpPorts = ports.slice(n);
  const extra = remoteServersXml(CLUSTER_NAME, tcpPorts);
  const started = await Promise.allSettled(Array.from({ length: n }, (_, i) =>
    startClickHouse({ httpPort: ports[i], tcpPort: tcpPorts[i], database: opts.database, extraConfig: extra })));
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  return {
    cluster: CLUSTER_NAME,
    servers,
    async stop() { await Promise.all(servers.map((s) => s.stop())); },
  };
}
