// Addresses that come from other servers (attachments, avatars, profile
// links) are only used when they are web addresses: a `javascript:` or
// `data:` URL in a post must never become a link or an image source.

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'blob:']);

/** `url` when it is an http(s) or blob: address (relative ones resolve here), else null. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const base = typeof location !== 'undefined' ? location.href : 'http://localhost/';
  try {
    return SAFE_PROTOCOLS.has(new URL(url, base).protocol) ? url : null;
  } catch {
    return null;
  }
}
