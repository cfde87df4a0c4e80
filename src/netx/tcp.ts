// TCP connect (df-005). The entry keeps the logical port (443, 80: what OONI's readers expect);
// the port actually dialled differs only in the lab (env.ports) and is noted as x_dialed_port.
import net from 'node:net';
import type { TcpConnect } from '../model/measurement.js';
import { unknownFailure, type Failure } from '../model/failures.js';
import { isBogon } from './bogon.js';
import { classifyTcp, NetError } from './classify.js';
import { mapPort, type NetEnv } from './env.js';
import { setExtra, type Trace } from './trace.js';

export interface TcpResult {
  socket: net.Socket | null;
  failure: Failure | null;
  entry: TcpConnect;
}

export function tcpConnect(ip: string, port: number, env: NetEnv, trace: Trace, txid = trace.nextTx()): Promise<TcpResult> {
  const dial = mapPort(env, port);
  const entry: TcpConnect = { ip, port, status: { blocked: null, failure: null, success: false }, t0: trace.now(), t: 0, transaction_id: txid };
  if (dial !== port) setExtra(entry, 'x_dialed_port', dial);
  trace.tcp.push(entry);
  const fam = net.isIP(ip);
  if (env.publicOnly && isBogon(ip, false)) {
    entry.status.failure = unknownFailure('refused: not a public address');
    entry.t = trace.now();
    return Promise.resolve({ socket: null, failure: entry.status.failure as Failure, entry });
  }
  const opts: net.TcpNetConnectOpts = { host: ip, port: dial, noDelay: true };
  if (env.localAddress && net.isIP(env.localAddress) === fam) opts.localAddress = env.localAddress;
  return new Promise((resolve) => {
    let done = false;
    const sock = net.connect(opts);
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const failure = classifyTcp(e);
      entry.status.failure = failure;
      entry.t = trace.now();
      resolve({ socket: null, failure, entry });
    };
    const timer = setTimeout(() => fail(new NetError('VIGIL_TIMEOUT')), env.timeouts.connect);
    sock.once('error', fail);
    sock.once('connect', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.removeListener('error', fail);
      entry.status.success = true;
      entry.t = trace.now();
      resolve({ socket: sock, failure: null, entry });
    });
  });
}
