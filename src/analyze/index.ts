// Public API of src/analyze.
export { analyzeMeasurement, measurementColumns, toStoredMeasurement, probeIdOf, verdictOf, scrubProbeAddress, JUDGED_TESTS } from './analyze.js';
export { THROTTLE_RATIO, MIN_CONTROL_KBPS } from './throughput.js';
export type { Verdict } from './verdict.js';
