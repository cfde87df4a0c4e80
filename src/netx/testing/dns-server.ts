// Test and bench support: a real UDP DNS server on loopback. `answer` decides per question:
// addresses, an rcode, silence, or a forged reply sent before the real one (an injector).
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';

export interface DnsPlan {
  addrs?: string[];
  rcode?: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
  /** no reply at all */
  drop?: boolean;
  /** sent first, then the real reply after `lagMs` */
  forged?: string[];
  lagMs?: number;
}

export interface TestDns {
  address: string;
  port: number;
  queries: number;
  close(): Promise<void>;
}

export async function startDns(answer: (name: string, type: string) => DnsPlan, address = '127.0.0.1'): Promise<TestDns> {
  const sock = dgram.createSocket('udp4');
  const st: TestDns = { address, port: 0, queries: 0, close: () => new Promise((r) => sock.close(() => r())) };
  const timers = new Set<NodeJS.Timeout>();
  sock.on('message', (msg, rinfo) => {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    st.queries++;
    const question = q.questions?.[0];
    if (!question) return;
    const plan = answer(question.name.toLowerCase(), question.type);
    if (plan.drop) return;
    const reply = (addrs: string[], rcode: string) => dnsPacket.encode({
      type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcodeBits(rcode),
      questions: [question],
      answers: question.type === 'A' ? addrs.map((a) => ({ type: 'A' as const, name: question.name, ttl: 60, class: 'IN' as const, data: a })) : [],
    });
    const real = reply(plan.addrs ?? [], plan.rcode ?? 'NOERROR');
    if (plan.forged) {
      sock.send(reply(plan.forged, 'NOERROR'), rinfo.port, rinfo.address);
      const t = setTimeout(() => {
        timers.delete(t);
        try {
          sock.send(real, rinfo.port, rinfo.address);
        } catch {}
      }, plan.lagMs ?? 20);
      timers.add(t);
    } else sock.send(real, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, address, () => r()));
  st.port = (sock.address() as AddressInfo).port;
  const close = st.close;
  st.close = () => {
    for (const t of timers) clearTimeout(t);
    return close();
  };
  return st;
}

function rcodeBits(rcode: string): number {
  return { NOERROR: 0, NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 }[rcode] ?? 0;
}
