// Mastodon pages lists through the `Link` header: `<url>; rel="next"` holds
// the `max_id` of the next (older) page, `rel="prev"` the `min_id` of newer
// items. Only the query of those URLs matters to us: the client keeps its own
// base URL.

export interface PageLinks {
  next?: Record<string, string>;
  prev?: Record<string, string>;
}

export function parseLink(header: string | null): PageLinks {
  const links: PageLinks = {};
  if (!header) return links;
  for (const part of header.split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="?([a-z]+)"?/i.exec(part.trim());
    if (!match) continue;
    const rel = match[2].toLowerCase();
    if (rel !== 'next' && rel !== 'prev') continue;
    let query: URLSearchParams;
    try {
      query = new URL(match[1], 'http://placeholder.invalid').searchParams;
    } catch {
      continue;
    }
    const params: Record<string, string> = {};
    for (const [key, value] of query) params[key] = value;
    links[rel] = params;
  }
  return links;
}
