// Which links inside a post's HTML are hashtags. Only the server's own
// markers count (the `hashtag` class, or a link to one of the post's tags),
// so an ordinary link whose address merely ends in /tags/x stays a link.

import type { Tag } from '../api/types';

export interface AnchorInfo {
  href: string;
  classes: readonly string[];
  text: string;
}

/** The tag name a link in a post stands for, or null when it is not a hashtag. */
export function hashtagName(anchor: AnchorInfo, tags: readonly Pick<Tag, 'name' | 'url'>[]): string | null {
  const tag = anchor.href ? tags.find((t) => t.url === anchor.href || t.url.toLowerCase() === anchor.href.toLowerCase()) : undefined;
  if (tag) return tag.name;
  if (!anchor.classes.includes('hashtag')) return null;
  const name = anchor.text.trim().replace(/^#/, '');
  return name || null;
}
