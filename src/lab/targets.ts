// The lab's targets file: the same shape as the real one (src/probe/targets.ts), with the real
// hostnames, but Telegram's data centres, Facebook's address space and Signal's CA replaced by
// the lab's, and throughput objects served by the lab's sites.
import type { Targets } from '../probe/targets.js';
import { LARGE_OBJECT_PATH } from './content.js';
import { LOOPBACK_HOSTING, TELEGRAM_DCS, relocate, siteOfHost } from './sites.js';

/** Size of the throughput objects: big enough to measure a rate, small enough for many runs. */
export const THROUGHPUT_OBJECT_BYTES = 256 << 10;

export function labTargets(caPem: string, hosting = LOOPBACK_HOSTING): Targets {
  const fbPrefix = (host: string) => relocate(siteOfHost(host)!.address, hosting).replace(/\.\d+$/, '.0/24');
  const large = (host: string) => `https://${host}${LARGE_OBJECT_PATH}?bytes=${THROUGHPUT_OBJECT_BYTES}`;
  const control = large('www.example.org');
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
    whatsapp: {
      registration_url: 'https://v.whatsapp.net/v2/register',
      web_url: 'https://web.whatsapp.com/',
      endpoints: ['e1.whatsapp.net:443', 'e2.whatsapp.net:443', 'e3.whatsapp.net:443', 'e4.whatsapp.net:443'],
    },
    facebook_messenger: {
      services: {
        stun: 'stun.fbsbx.com',
        b_api: 'b-api.facebook.com',
        b_graph: 'b-graph.facebook.com',
        edge: 'edge-mqtt.facebook.com',
        external_cdn: 'external.xx.fbcdn.net',
        scontent_cdn: 'scontent.xx.fbcdn.net',
        star: 'star.c10r.facebook.com',
      },
      port: 443,
      expected_prefixes: [...new Set([fbPrefix('edge-mqtt.facebook.com'), fbPrefix('external.xx.fbcdn.net')])],
    },
    telegram: {
      dcs: TELEGRAM_DCS.map((a) => relocate(a, hosting)),
      ports: [80, 443],
      web_url: 'https://web.telegram.org/',
    },
    signal: {
      urls: [
        'https://textsecure-service.whispersystems.org/',
        'https://storage.signal.org/',
        'https://api.directory.signal.org/',
        'https://cdn.signal.org/',
        'https://cdn2.signal.org/',
        'https://sfu.voip.signal.org/',
      ],
      ca: [caPem],
      dns_hosts: ['uptime.signal.org'],
    },
    throughput: [
      { target: 'twitter', url: large('video.twimg.com'), control_url: control },
      { target: 'youtube', url: large('rr1---sn-lab.googlevideo.com'), control_url: control },
      { target: 'instagram', url: large('scontent.cdninstagram.com'), control_url: control },
      { target: 'facebook', url: large('scontent.xx.fbcdn.net'), control_url: control },
      { target: 'tiktok', url: large('v16-webapp.tiktok.com'), control_url: control },
    ],
  };
}
