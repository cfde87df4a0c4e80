// Stable measurement ids (DESIGN.md §3): OONI's measurement_uid when present, else a hash of
// (report_id, input, measurement_start_time, test_name), so re-import and re-upload are no-ops.
import { createHash } from 'node:crypto';

export function measurementUid(m: { measurement_uid?: string | null; report_id?: string; input?: unknown; measurement_start_time?: string; test_name?: string }): string {
  if (typeof m.measurement_uid === 'string' && m.measurement_uid.length > 0) return m.measurement_uid;
  const input = Array.isArray(m.input) ? m.input.join(',') : (m.input ?? '');
  const h = createHash('sha256')
    .update(`${m.report_id ?? ''}\u0000${String(input)}\u0000${m.measurement_start_time ?? ''}\u0000${m.test_name ?? ''}`)
    .digest('hex');
  return `v1_${h.slice(0, 32)}`;
}
