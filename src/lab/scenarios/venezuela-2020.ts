// The seed scenario: on 2020-01-05 CANTV (AS8048) restricted Twitter, Instagram, YouTube and
// Facebook Messenger for about two and a half hours while the National Assembly elected its
// board (reported by VE sin Filtro and NetBlocks); Movistar and Digitel were not affected.
// CANTV's blocking of HTTPS sites is done on the TLS SNI, so the lab resets on the SNI.
import type { Scenario } from './types.js';

export const venezuela2020: Scenario = {
  name: 'venezuela-2020',
  description: 'CANTV blocks Twitter, Instagram, YouTube and Facebook Messenger by SNI reset, 15:05–17:35 UTC (2 h 30 min); Movistar and Digitel untouched',
  start: '2020-01-05T12:00:00Z',
  end: '2020-01-05T18:00:00Z',
  events: [
    {
      network: 'CANTV',
      targets: ['twitter', 'instagram', 'youtube', 'facebook_messenger'],
      technique: 'sni_reset',
      start: '2020-01-05T15:05:00Z',
      end: '2020-01-05T17:35:00Z',
    },
  ],
};
