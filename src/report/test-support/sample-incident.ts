// A fixed incident in the §4 shape, for report and feed tests.
import type { Incident } from '../../model/incident.js';

export function sampleIncident(): Incident {
  return {
    id: 'inc-ve-20200105',
    kind: 'platform_block',
    cc: 'VE',
    asns: [8048],
    networks: ['CANTV'],
    targets: ['twitter', 'instagram', 'youtube', 'facebook_messenger'],
    start: '2020-01-05T15:05:00Z',
    end: '2020-01-05T17:35:00Z',
    start_uncertainty_s: 300,
    end_uncertainty_s: 300,
    layers: ['tls'],
    confidence: 0.97,
    status: 'resolved',
    evidence: { measurements: 412, anomalies: 377, probes: 17, sample_uids: ['u1', 'u/2'] },
    summary: 'Twitter, Instagram, YouTube and Messenger restricted on CANTV (AS8048), Venezuela, 15:05–17:35 UTC (2 h 30 min)',
    failures: { tls: ['connection_reset'] },
  };
}
