// The lab's sites: every hostname the probe's experiments use, grouped by the server (address)
// that answers for it. Platforms keep their real hostnames; DNS in the lab maps them to 127.100.x.
// Telegram's data centres are addressed by IP in OONI's ts-020, so they get fixed lab addresses.
import { platformOfHost, bareHost } from '../model/platforms.js';

export interface LabSite {
  /** platform id or a control site's bare hostname; also the censor's target key */
  target: string;
  /** a title for the pages the site serves */
  title: string;
  /** the server's address (all the hostnames below resolve to it) */
  address: string;
  hostnames: string[];
}

export const SITES: LabSite[] = [
  { target: 'twitter', title: 'Twitter', address: '127.100.1.1', hostnames: ['twitter.com', 'www.twitter.com', 'mobile.twitter.com', 'api.twitter.com', 'x.com', 'www.x.com', 't.co', 'abs.twimg.com', 'pbs.twimg.com', 'video.twimg.com'] },
  { target: 'instagram', title: 'Instagram', address: '127.100.2.1', hostnames: ['instagram.com', 'www.instagram.com', 'i.instagram.com', 'scontent.cdninstagram.com'] },
  { target: 'youtube', title: 'YouTube', address: '127.100.3.1', hostnames: ['youtube.com', 'www.youtube.com', 'm.youtube.com', 'youtu.be', 'i.ytimg.com', 'rr1---sn-lab.googlevideo.com', 'redirector.googlevideo.com'] },
  { target: 'facebook', title: 'Facebook', address: '127.100.4.1', hostnames: ['facebook.com', 'www.facebook.com', 'm.facebook.com', 'static.xx.fbcdn.net', 'external.xx.fbcdn.net', 'scontent.xx.fbcdn.net'] },
  { target: 'facebook_messenger', title: 'Messenger', address: '127.100.5.1', hostnames: ['messenger.com', 'www.messenger.com', 'edge-mqtt.facebook.com', 'b-api.facebook.com', 'b-graph.facebook.com', 'star.c10r.facebook.com', 'stun.fbsbx.com', 'mqtt-mini.facebook.com'] },
  { target: 'whatsapp', title: 'WhatsApp', address: '127.100.6.1', hostnames: ['whatsapp.com', 'www.whatsapp.com', 'web.whatsapp.com', 'v.whatsapp.net', 'e1.whatsapp.net', 'e2.whatsapp.net', 'e3.whatsapp.net', 'e4.whatsapp.net', 'mmg.whatsapp.net', 'wa.me'] },
  { target: 'telegram', title: 'Telegram', address: '127.100.7.1', hostnames: ['telegram.org', 'www.telegram.org', 'web.telegram.org', 't.me', 'cdn1.telegram.org'] },
  { target: 'signal', title: 'Signal', address: '127.100.8.1', hostnames: ['signal.org', 'www.signal.org', 'textsecure-service.whispersystems.org', 'chat.signal.org', 'storage.signal.org', 'cdn.signal.org', 'cdn2.signal.org', 'api.directory.signal.org', 'sfu.voip.signal.org', 'uptime.signal.org'] },
  { target: 'tiktok', title: 'TikTok', address: '127.100.9.1', hostnames: ['tiktok.com', 'www.tiktok.com', 'm.tiktok.com', 'v16-webapp.tiktok.com'] },
  { target: 'example.org', title: 'Example Domain', address: '127.100.20.1', hostnames: ['example.org', 'www.example.org', 'example.com', 'www.example.com', 'example.net'] },
  { target: 'wikipedia.org', title: 'Wikipedia', address: '127.100.21.1', hostnames: ['wikipedia.org', 'www.wikipedia.org', 'en.wikipedia.org', 'es.wikipedia.org', 'upload.wikimedia.org'] },
  { target: 'archive.org', title: 'Internet Archive', address: '127.100.22.1', hostnames: ['archive.org', 'www.archive.org', 'web.archive.org'] },
];

/** Telegram's data centres (OONI ts-020 connects to them by address): lab addresses of the Telegram site. */
export const TELEGRAM_DCS = ['127.100.7.11', '127.100.7.12', '127.100.7.13', '127.100.7.14', '127.100.7.15'];

/** A name that resolves nowhere (for "site down everywhere" checks and NXDOMAIN controls). */
export const NONEXISTENT_HOST = 'does-not-exist.example';

const byHost = new Map<string, LabSite>();
const byAddress = new Map<string, LabSite>();
for (const s of SITES) {
  for (const h of s.hostnames) byHost.set(h, s);
  byAddress.set(s.address, s);
}
const telegram = SITES.find((s) => s.target === 'telegram')!;
for (const a of TELEGRAM_DCS) byAddress.set(a, telegram);

export function siteOfHost(host: string): LabSite | undefined {
  return byHost.get(host.toLowerCase().replace(/\.$/, ''));
}

export function siteOfAddress(addr: string): LabSite | undefined {
  return byAddress.get(addr.replace(/^::ffff:/, ''));
}

/** Every address a lab server listens on. */
export function allSiteAddresses(): string[] {
  return [...SITES.map((s) => s.address), ...TELEGRAM_DCS];
}

/** The censor's key for a hostname: platform id, else the bare hostname (DESIGN.md §3 rule). */
export function targetOfHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  return platformOfHost(h) ?? bareHost(h) ?? h;
}

/** The loopback plan hosts sites in 127.100.0.0/16; the netns lab moves them to another /16 (e.g. "10.100"). */
export const LOOPBACK_HOSTING = '127.100';

export function relocate(addr: string, hosting: string): string {
  return hosting === LOOPBACK_HOSTING ? addr : addr.replace(/^127\.100\./, hosting + '.');
}

/** The site served at an address of a relocated plan. */
export function siteOfRelocated(addr: string, hosting: string): LabSite | undefined {
  const a = addr.replace(/^::ffff:/, '');
  if (hosting === LOOPBACK_HOSTING) return siteOfAddress(a);
  if (!a.startsWith(hosting + '.')) return undefined;
  return siteOfAddress(LOOPBACK_HOSTING + a.slice(hosting.length));
}
