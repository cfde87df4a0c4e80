// Small numeric helpers for detection: log-gamma, Beta-Binomial and Negative-Binomial
// log-probabilities, robust location/scale, and a two-state hidden Markov model
// (normal / disrupted) solved by forward-backward. Pure functions, no dependencies.

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = 0.99999999999980993;
  const t = x + 7.5;
  for (let i = 0; i < 8; i++) a += LANCZOS[i] / (x + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

export function lchoose(n: number, k: number): number {
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

/** log P(k | n, Beta(a, b)): k bad of n under a Beta-distributed failure rate (overdispersed binomial). */
export function betaBinomialLog(k: number, n: number, a: number, b: number): number {
  if (n === 0) return 0;
  return lchoose(n, k) + lbeta(k + a, n - k + b) - lbeta(a, b);
}

/** log P(x | mean mu, size r): Negative Binomial (Poisson with extra variance mu²/r). */
export function negBinomialLog(x: number, mu: number, r: number): number {
  const m = Math.max(mu, 1e-9);
  return lgamma(x + r) - lgamma(r) - lgamma(x + 1) + r * Math.log(r / (r + m)) + x * Math.log(m / (r + m));
}

export function gaussianLog(x: number, mu: number, sd: number): number {
  const z = (x - mu) / sd;
  return -0.5 * z * z - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median absolute deviation scaled to a normal sd (× 1.4826). */
export function mad(xs: number[], center = median(xs)): number {
  return 1.4826 * median(xs.map((x) => Math.abs(x - center)));
}

/** Poisson lower tail P(X <= k | lambda), summed in log space (k small in practice). */
export function poissonCdf(k: number, lambda: number): number {
  if (lambda <= 0) return 1;
  let logTerm = -lambda;
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(lambda / i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

export interface HmmParams {
  /** per-bin probability of entering the disrupted state */
  pEnter: number;
  /** per-bin probability of leaving it */
  pLeave: number;
  /** prior probability of starting disrupted */
  pStart?: number;
}

/**
 * Two-state HMM: emission log-likelihoods per bin for state 0 (normal) and 1 (disrupted); a bin
 * without data has 0/0 (it carries no evidence, the state simply persists: an empty bin does not
 * end an incident). Returns the smoothed posterior P(disrupted | all data) and the filtered one
 * P(disrupted | data up to the bin), which is what a streaming detector knows at that moment.
 */
export function twoStateHmm(l0: Float64Array, l1: Float64Array, p: HmmParams): { smoothed: Float64Array; filtered: Float64Array } {
  const n = l0.length;
  const smoothed = new Float64Array(n);
  const filtered = new Float64Array(n);
  if (n === 0) return { smoothed, filtered };
  const a01 = p.pEnter, a00 = 1 - a01, a10 = p.pLeave, a11 = 1 - a10;
  // forward: normalized alpha per bin
  const f1 = new Float64Array(n);
  let prev1 = p.pStart ?? p.pEnter / (p.pEnter + p.pLeave);
  for (let i = 0; i < n; i++) {
    const pr1 = i === 0 ? prev1 : (1 - prev1) * a01 + prev1 * a11;
    const pr0 = 1 - pr1;
    const m = Math.max(l0[i], l1[i]);
    const e0 = pr0 * Math.exp(l0[i] - m);
    const e1 = pr1 * Math.exp(l1[i] - m);
    const s = e0 + e1;
    prev1 = s > 0 ? e1 / s : pr1;
    f1[i] = prev1;
    filtered[i] = prev1;
  }
  // backward: normalized beta
  let b0 = 1, b1 = 1;
  smoothed[n - 1] = f1[n - 1];
  for (let i = n - 2; i >= 0; i--) {
    const m = Math.max(l0[i + 1], l1[i + 1]);
    const e0 = Math.exp(l0[i + 1] - m) * b0;
    const e1 = Math.exp(l1[i + 1] - m) * b1;
    const nb0 = a00 * e0 + a01 * e1;
    const nb1 = a10 * e0 + a11 * e1;
    const s = nb0 + nb1;
    b0 = nb0 / s;
    b1 = nb1 / s;
    const g1 = f1[i] * b1;
    const g0 = (1 - f1[i]) * b0;
    smoothed[i] = g1 / (g0 + g1);
  }
  return { smoothed, filtered };
}
