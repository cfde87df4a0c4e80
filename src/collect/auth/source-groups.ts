// Source diversity against poisoning (issue 9 §5). A probe id is whatever a client claims, so one
// machine can pose as a hundred probes; its network address it cannot choose as freely. The
// collector tags each measurement with the pseudonym of the network it came from — an HMAC of the
// source address masked to /24 (IPv4) or /48 (IPv6) under a secret salt that lives only in this
// process's memory — as `annotations.vigil_source_group`, replacing whatever the client sent.
// The ingest pipeline (src/ingest/pipeline.ts) makes that pseudonym the observation's probe_id,
// so detection's agreement rule ("at least minProbes distinct probes saw it") counts distinct
// source networks, and forged probe ids from one network weigh as one probe.
// The address itself is never stored: only the salted, truncated hash of its network, which
// without the salt cannot be turned back into a network (and the salt is never written).
import { createHmac, randomBytes } from 'node:crypto';
import { maskedPrefix } from './rate-limit.js';

export interface SourceGroupOptions {
  /** prefix lengths that make one source network (default 24 and 48) */
  v4Prefix?: number;
  v6Prefix?: number;
  /** the secret (default: 32 random bytes, new for each process) */
  salt?: Buffer;
}

export class SourceGroups {
  readonly v4Prefix: number;
  readonly v6Prefix: number;
  private readonly salt: Buffer;

  constructor(o: SourceGroupOptions = {}) {
    this.v4Prefix = o.v4Prefix ?? 24;
    this.v6Prefix = o.v6Prefix ?? 48;
    if (!(this.v4Prefix >= 0 && this.v4Prefix <= 32 && this.v6Prefix >= 0 && this.v6Prefix <= 128)) throw new RangeError('source groups: prefix out of range');
    this.salt = o.salt ?? randomBytes(32);
  }

  /** `sg_` + 16 hex digits (the form the pipeline accepts), the same for every address of one network. */
  of(address: string): string {
    const net = maskedPrefix(address, this.v4Prefix, this.v6Prefix) ?? `?${address}`;
    return 'sg_' + createHmac('sha256', this.salt).update(net).digest('hex').slice(0, 16);
  }
}
