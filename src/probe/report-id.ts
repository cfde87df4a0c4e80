// OONI-style report ids, one per probe run (round): "20260105T150500Z_vigil_VE_8048_n1_<16 random>".
// A fresh id per round keeps measurement uids distinct when a URL is measured again in the same second.
import { randomBytes } from 'node:crypto';

export function newReportId(nowMs: number, cc: string, asn: number): string {
  const t = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${t}_vigil_${cc}_${asn}_n1_${randomBytes(8).toString('hex')}`;
}
