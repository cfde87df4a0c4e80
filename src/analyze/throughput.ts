// vigil_throughput (Vigil's own test): download rate from a platform's CDN vs. a control download
// over the same path. value = target/control rate ratio.
import { failure, num, objs, str, type Obj } from './util.js';
import { layerOfFailure, type Verdict } from './verdict.js';

/** Below this ratio, with a healthy control, the target counts as throttled. */
export const THROTTLE_RATIO = 0.25;
/** A control slower than this says the link itself is slow, so no ratio is trusted. */
export const MIN_CONTROL_KBPS = 256;

export function analyzeThroughput(tk: Obj, target: string): Verdict {
  const samples = objs(tk.samples);
  const ctrl = samples.filter((s) => str(s.role) === 'control');
  const tgt = samples.filter((s) => str(s.role) === 'target');
  const rate = (xs: Obj[]) => {
    const r = xs.map((s) => (failure(s.failure) ? null : num(s.rate_kbps))).filter((x): x is number => x !== null);
    return r.length ? r.reduce((a, b) => a + b, 0) / r.length : null;
  };
  const controlRate = rate(ctrl) ?? num(tk.control_rate_kbps);
  const targetRate = rate(tgt) ?? (tgt.length ? null : num(tk.target_rate_kbps));
  if (controlRate === null) {
    const f = ctrl.map((s) => failure(s.failure)).find((x) => x) ?? 'control_failure: no control rate';
    return { target, status: 'failure', layer: null, failure: f, value: null };
  }
  if (controlRate < MIN_CONTROL_KBPS) return { target, status: 'failure', layer: null, failure: 'control_too_slow', value: null };
  if (targetRate === null) {
    const f = tgt.map((s) => failure(s.failure)).find((x) => x) ?? 'no_target_rate';
    // a download that stalls until the timeout is the extreme of throttling
    const layer = f === 'generic_timeout_error' ? 'throttle' : layerOfFailure(f, { https: true });
    return { target, status: 'anomaly', layer, failure: f, value: 0 };
  }
  const ratio = targetRate / controlRate;
  if (ratio < THROTTLE_RATIO) return { target, status: 'anomaly', layer: 'throttle', failure: null, value: ratio };
  return { target, status: 'ok', layer: null, failure: null, value: ratio };
}
