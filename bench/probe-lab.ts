// Child process for `vigil bench probe`: the lab's servers (UDP DNS, HTTPS, HTTP) and the control
// helper, on 127.0.0.1, in their own process, as they would be on other machines. Talks to the
// parent over IPC: sends its addresses, answers "cpu" with its CPU time, exits on "close".
import { startMiniLab } from '../src/probe/testing/minilab.js';

const hosts = JSON.parse(process.env.VIGIL_BENCH_HOSTS ?? '[]') as string[];
// generous deadlines: the bench measures speed, a loaded machine must not turn into failures
const lab = await startMiniLab(hosts, { timeouts: { dns: 5000, connect: 5000, tls: 5000, http: 10000 } });
const env = lab.cleanEnv;
process.send!({
  type: 'ready',
  helperUrl: lab.helperUrl,
  httpPort: lab.httpPort,
  httpsPort: lab.httpsPort,
  caPem: lab.pki.caPem,
  resolver: env.resolver,
});
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'cpu') process.send!({ type: 'cpu', usage: process.cpuUsage() });
  if (msg.type === 'close') void lab.close().then(() => process.exit(0));
});
