// Platform ids and the host → platform table (DESIGN.md §3, a contract). An observation's
// `target` is the platform id when the test or the URL's host belongs to a platform, else the
// bare hostname with `www.` dropped.
export const PLATFORMS = [
  'twitter', 'instagram', 'youtube', 'facebook', 'facebook_messenger', 'whatsapp', 'telegram', 'signal', 'tiktok',
] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Human names, for summaries ("Twitter, Instagram, YouTube and Messenger restricted ..."). */
export const PLATFORM_NAMES: Record<Platform, string> = {
  twitter: 'Twitter',
  instagram: 'Instagram',
  youtube: 'YouTube',
  facebook: 'Facebook',
  facebook_messenger: 'Messenger',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  signal: 'Signal',
  tiktok: 'TikTok',
};

/** Registrable domains (and their subdomains) per platform. Order matters only for readability. */
export const PLATFORM_DOMAINS: Record<Platform, string[]> = {
  twitter: ['twitter.com', 'x.com', 't.co', 'twimg.com', 'twttr.com'],
  instagram: ['instagram.com', 'cdninstagram.com', 'instagr.am'],
  youtube: ['youtube.com', 'youtu.be', 'googlevideo.com', 'ytimg.com', 'youtube-nocookie.com', 'youtubei.googleapis.com'],
  facebook: ['facebook.com', 'fb.com', 'fbcdn.net', 'facebook.net', 'fb.me'],
  facebook_messenger: ['messenger.com', 'm.me', 'edge-mqtt.facebook.com', 'b-api.facebook.com', 'b-graph.facebook.com', 'star.c10r.facebook.com', 'stun.fbsbx.com', 'mqtt-mini.facebook.com'],
  whatsapp: ['whatsapp.com', 'whatsapp.net', 'wa.me'],
  telegram: ['telegram.org', 't.me', 'telegram.me', 'telesco.pe', 'tg.dev'],
  signal: ['signal.org', 'whispersystems.org', 'signal.art'],
  tiktok: ['tiktok.com', 'tiktokcdn.com', 'tiktokv.com', 'byteoversea.com', 'ibytedtos.com', 'musical.ly'],
};

/** OONI test names that measure one platform as a whole. */
export const TEST_PLATFORM: Record<string, Platform> = {
  whatsapp: 'whatsapp',
  facebook_messenger: 'facebook_messenger',
  telegram: 'telegram',
  signal: 'signal',
};

// Longest suffix wins, so edge-mqtt.facebook.com is Messenger while www.facebook.com is Facebook.
const suffixes: Array<[string, Platform]> = Object.entries(PLATFORM_DOMAINS)
  .flatMap(([p, ds]) => ds.map((d) => [d, p as Platform] as [string, Platform]))
  .sort((a, b) => b[0].length - a[0].length);

export function isPlatform(s: string): s is Platform {
  return (PLATFORMS as readonly string[]).includes(s);
}

export function platformOfHost(host: string): Platform | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const [d, p] of suffixes) if (h === d || h.endsWith('.' + d)) return p;
  return null;
}

/** The bare hostname of a URL or host string, lowercased, `www.` dropped; null if unparsable. */
export function bareHost(input: string): string | null {
  let host: string;
  try {
    host = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? new URL(input).hostname : new URL(`http://${input}`).hostname;
  } catch {
    return null;
  }
  host = host.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
  if (host === '') return null;
  return host.startsWith('www.') ? host.slice(4) : host;
}

/** DESIGN.md §3: the target of a (test, input) pair. */
export function targetOf(testName: string, input: string | null | undefined): string | null {
  const byTest = TEST_PLATFORM[testName];
  if (byTest) return byTest;
  if (!input) return null;
  const host = bareHost(input);
  if (!host) return null;
  return platformOfHost(host) ?? host;
}

/** Sort order for targets in words and charts: platforms as PLATFORMS lists them (Twitter,
 *  Instagram, YouTube, …, Messenger), then other sites alphabetically. */
export function byTargetOrder(a: string, b: string): number {
  const rank = (t: string) => {
    const i = (PLATFORMS as readonly string[]).indexOf(t);
    return i < 0 ? PLATFORMS.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

export function targetName(target: string): string {
  return isPlatform(target) ? PLATFORM_NAMES[target] : target;
}
