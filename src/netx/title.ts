// The page title as OONI extracts it for title_match (ts-017): the first <title>, ≤ 512 chars.
export function extractTitle(body: string): string {
  const m = /<title[^>]*>([^<]{1,512})<\/title>/i.exec(body.slice(0, 1 << 20));
  return m ? m[1].trim() : '';
}
