// TLS handshake (df-006) over an already-connected socket, with SNI and certificate verification.
// Verification is done by Node (chain + hostname) but not enforced by it, so the peer's
// certificates are recorded even when they are wrong (a censor's interception certificate is
// evidence), and the error is classified from authorizationError.
import tls from 'node:tls';
import type net from 'node:net';
import type { TlsHandshake } from '../model/measurement.js';
import type { Failure } from '../model/failures.js';
import { classifyTls, NetError } from './classify.js';
import type { NetEnv } from './env.js';
import type { Trace } from './trace.js';

export interface TlsResult {
  socket: tls.TLSSocket | null;
  failure: Failure | null;
  entry: TlsHandshake;
}

// Building a secure context parses every root certificate: once per CA set, not per handshake.
const contexts = new Map<string, tls.SecureContext>();
export function secureContextFor(ca: string[] | undefined): tls.SecureContext | undefined {
  if (!ca || ca.length === 0) return undefined;
  const key = ca.join('\n');
  let c = contexts.get(key);
  if (!c) {
    c = tls.createSecureContext({ ca: [...tls.rootCertificates, ...ca] });
    if (contexts.size > 32) contexts.clear();
    contexts.set(key, c);
  }
  return c;
}

function versionName(v: string | null): string | null {
  if (!v) return null;
  return v.replace(/^TLSv1$/, 'TLSv1.0');
}

export interface TlsOptions {
  /** extra CAs just for this handshake (Signal's pinned CA); replaces env.ca when given */
  ca?: string[];
  /** ALPN to offer; default http/1.1 */
  alpn?: string[];
  /** the address for the entry ("ip:port") */
  address?: string;
  /** record peer certificates (base64 DER); default true */
  certificates?: boolean;
}

export function tlsHandshake(socket: net.Socket, serverName: string, env: NetEnv, trace: Trace, opts: TlsOptions = {}, txid = trace.nextTx()): Promise<TlsResult> {
  const entry: TlsHandshake = {
    address: opts.address,
    cipher_suite: null,
    failure: null,
    negotiated_protocol: null,
    no_tls_verify: false,
    peer_certificates: null,
    server_name: serverName,
    tls_version: null,
    t0: trace.now(),
    t: 0,
    transaction_id: txid,
  };
  trace.tls.push(entry);
  const secureContext = secureContextFor(opts.ca ?? env.ca);
  return new Promise((resolve) => {
    let done = false;
    const t = tls.connect({
      socket,
      servername: serverName,
      rejectUnauthorized: false, // checked below, after the certificates are recorded
      ALPNProtocols: opts.alpn ?? ['http/1.1'],
      ...(secureContext ? { secureContext } : {}),
    });
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      t.destroy();
      socket.destroy();
      const failure = classifyTls(e);
      entry.failure = failure;
      entry.t = trace.now();
      resolve({ socket: null, failure, entry });
    };
    const timer = setTimeout(() => fail(new NetError('VIGIL_TIMEOUT')), env.timeouts.tls);
    t.once('error', fail);
    const eof = () => fail(new NetError('VIGIL_EOF'));
    t.once('end', eof);
    t.once('close', eof);
    t.once('secureConnect', () => {
      if (done) return;
      entry.cipher_suite = t.getCipher()?.standardName ?? null;
      entry.tls_version = versionName(t.getProtocol());
      entry.negotiated_protocol = typeof t.alpnProtocol === 'string' ? t.alpnProtocol : null;
      if (opts.certificates !== false) entry.peer_certificates = chain(t);
      if (!t.authorized) {
        const code = String(t.authorizationError ?? 'VIGIL_TLS_HANDSHAKE');
        fail(Object.assign(new Error(code), { code }));
        return;
      }
      done = true;
      clearTimeout(timer);
      t.removeListener('error', fail);
      t.removeListener('end', eof);
      t.removeListener('close', eof);
      entry.t = trace.now();
      resolve({ socket: t, failure: null, entry });
    });
  });
}

// The leaf certificate only (base64 DER): it names the issuer, which is what tells an
// interception certificate apart. Walking the whole chain with getPeerCertificate(true) cost
// ~10% of a measurement's CPU (Node already does it once to verify).
function chain(t: tls.TLSSocket): Array<{ data: string; format: string }> | null {
  const c = t.getPeerX509Certificate();
  return c ? [{ data: c.raw.toString('base64'), format: 'base64' }] : null;
}
