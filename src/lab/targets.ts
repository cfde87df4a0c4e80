// The lab's targets file: the same shape as the real one (src/probe/targets.ts), with the real
// hostnames, but Telegram's data centres, Facebook's address space and Signal's CA replaced by
// the lab's, and throughput objects served by the lab's sites.
import { defaultTargets, type Targets } from '../probe/targets.js';
import { LARGE_OBJECT_PATH } from './content.js';
import { LOOPBACK_HOSTING, TELEGRAM_DCS, relocate, siteOfHost } from './sites.js';

/** Size of the throughput objects: big enough to measure a rate, small enough for many runs. */
export const THROUGHPUT_OBJECT_BYTES = 256 << 10;

export function labTargets(caPem: string, hosting = LOOPBACK_HOSTING): Targets {
  const fbPrefix = (host: string) => relocate(siteOfHost(host)!.address, hosting).replace(/\.\d+$/, '.0/24');
  const large = (host: string) => `https://${host}${LARGE_OBJECT_PATH}?bytes=${THROUGHPUT_OBJECT_BYTES}`;
  const control = large('www.example.org');
  const real = defaultTargets();
  return {
    web: [
      { url: 'https://twitter.com/', category: 'platform' },
      { url: 'https://www.instagram.com/', category: 'platform' },
      { url: 'https://www.youtube.com/', category: 'platform' },
      { url: 'https://www.facebook.com/', category: 'platform' },
      { url: 'https://www.messenger.com/', category: 'platform' },
      { url: 'https://web.whatsapp.com/', category: 'platform' },
      { url: 'https://telegram.org/', category: 'platform' },
      { url: 'https://signal.org/', category: 'platform' },
      { url: 'https://www.tiktok.com/', category: 'platform' },
      { url: 'https://www.wikipedia.org/', category: 'control' },
      { url: 'https://example.org/', category: 'control' },
      { url: 'http://example.org/', category: 'control' },
    ],
    // The platforms' own endpoint lists are the real ones (src/probe/targets.ts); the lab moves
    // what is addressed by IP into its hosting range and has its own CA stand in for Signal's.
    whatsapp: { ...real.whatsapp!, endpoints: real.whatsapp!.endpoints.slice(0, 4) },
    facebook_messenger: {
      ...real.facebook_messenger!,
      expected_prefixes: [...new Set([fbPrefix('edge-mqtt.facebook.com'), fbPrefix('external.xx.fbcdn.net')])],
    },
    telegram: { ...real.telegram!, dcs: TELEGRAM_DCS.map((a) => relocate(a, hosting)) },
    signal: { ...real.signal!, ca: [caPem] },
    throughput: [
      { target: 'twitter', url: large('video.twimg.com'), control_url: control },
      { target: 'youtube', url: large('rr1---sn-lab.googlevideo.com'), control_url: control },
      { target: 'instagram', url: large('scontent.cdninstagram.com'), control_url: control },
      { target: 'facebook', url: large('scontent.xx.fbcdn.net'), control_url: control },
      { target: 'tiktok', url: large('v16-webapp.tiktok.com'), control_url: control },
    ],
  };
}
