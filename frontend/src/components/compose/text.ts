// Pure text helpers of the composer: the character count (the server's own
// rules, so the counter and the server agree), the @mention or #hashtag the
// caret is in (for autocomplete), and the text a reply starts with.

import type { Account, Status } from '../../api/types';

/** Punctuation that ends a sentence rather than a link. */
const URL_TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', "'", '"']);

const isAsciiAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isWord = (c: string) => /^[\p{L}\p{N}_\p{M}\u200C]$/u.test(c);

/** Length in Unicode scalar values, as the server counts. */
function scalars(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A link at the start of `rest`: its length in UTF-16 units, or 0. */
function urlAt(rest: string, prev: string | undefined): number {
  if (!/^https?:\/\//i.test(rest)) return 0;
  if (prev !== undefined && (isAsciiAlnum(prev) || prev === '@' || prev === '$' || prev === '#')) return 0;
  let url = /^[^\s\p{Cc}<>"]*/u.exec(rest)?.[0] ?? '';
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) break;
    const unbalanced = last === ')' && url.split(')').length > url.split('(').length;
    if (!URL_TRAILING_PUNCTUATION.has(last) && !unbalanced) break;
    url = url.slice(0, -1);
  }
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return 0;
  }
  return /[\p{L}\p{N}]/u.test(host) ? url.length : 0;
}

/** A mention at the start of `rest`: its length and the counted part (`@user`). */
function mentionAt(rest: string, prev: string | undefined): { length: number; counted: number } | null {
  if (!rest.startsWith('@')) return null;
  if (prev !== undefined && (isWord(prev) || '/@.='.includes(prev))) return null;
  const run = /^[A-Za-z0-9_.-]*/.exec(rest.slice(1))?.[0] ?? '';
  const username = run.replace(/[.-]+$/, '');
  if (!/^[A-Za-z0-9_]/.test(username)) return null;
  let length = 1 + username.length;
  const domain = /^@([\p{L}\p{N}.-]+)/u.exec(rest.slice(length));
  if (domain) {
    const host = domain[1].replace(/[.-]+$/, '');
    if (/^[\p{L}\p{N}]/u.test(host)) {
      const port = host.length === domain[1].length ? /^:(\d+)/.exec(rest.slice(length + 1 + host.length)) : null;
      length += 1 + host.length + (port ? port[0].length : 0);
    }
  }
  const after = rest.slice(length);
  if (after.startsWith('://') || /^[@＠\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0300-\u036F\u1E00-\u1EFF]/u.test(after)) {
    return null;
  }
  return { length, counted: 1 + scalars(username) };
}

/** A hashtag at the start of `rest`: its length, or 0. */
function hashtagAt(rest: string, prev: string | undefined): number {
  if (!rest.startsWith('#')) return 0;
  if (prev !== undefined && (isWord(prev) || '/&#=)'.includes(prev))) return 0;
  const tag = /^[\p{L}\p{N}\p{M}_\u200C]*/u.exec(rest.slice(1))?.[0] ?? '';
  return /\p{L}/u.test(tag) && scalars(tag) <= 100 ? 1 + tag.length : 0;
}

/**
 * How many characters a post uses: every link counts as `urlLength`, a
 * mention `@user@domain` as `@user`, the rest one per Unicode scalar value,
 * after trimming; the content warning counts too.
 */
export function countCharacters(text: string, spoilerText = '', urlLength = 23): number {
  const body = text.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, '');
  let count = 0;
  let i = 0;
  while (i < body.length) {
    const prev = i === 0 ? undefined : /[\uDC00-\uDFFF]/.test(body[i - 1]) && i > 1 ? body.slice(i - 2, i) : body[i - 1];
    const rest = body.slice(i);
    const url = urlAt(rest, prev);
    if (url) {
      count += urlLength;
      i += url;
      continue;
    }
    const mention = mentionAt(rest, prev);
    if (mention) {
      count += mention.counted;
      i += mention.length;
      continue;
    }
    // A hashtag counts as written, but is taken whole so that nothing inside starts a link.
    const hashtag = hashtagAt(rest, prev);
    const taken = hashtag || ((body.codePointAt(i) ?? 0) > 0xffff ? 2 : 1);
    count += scalars(body.slice(i, i + taken));
    i += taken;
  }
  return count + scalars(spoilerText);
}

export interface Token {
  kind: 'mention' | 'hashtag';
  /** What follows `@` or `#` up to the caret (what to search for). */
  query: string;
  /** Where the token starts (at `@` or `#`) and ends, in the text. */
  start: number;
  end: number;
}

const MENTION_BEFORE_CARET = /(^|[^\p{L}\p{N}\p{M}_/@.=])@([A-Za-z0-9_][A-Za-z0-9_.-]*(?:@[\p{L}\p{N}.:-]*)?)$/u;
const HASHTAG_BEFORE_CARET = /(^|[^\p{L}\p{N}\p{M}_/&#=)])#([\p{L}\p{N}\p{M}_]+)$/u;

/** The @mention or #hashtag being typed at `caret`, if any. */
export function tokenAt(text: string, caret: number): Token | null {
  const before = text.slice(0, caret);
  const after = text.slice(caret);
  const mention = MENTION_BEFORE_CARET.exec(before);
  if (mention) {
    const start = mention.index + mention[1].length;
    const tail = /^[A-Za-z0-9_.@:-]*/.exec(after)?.[0] ?? '';
    return { kind: 'mention', query: mention[2], start, end: caret + tail.length };
  }
  const tag = HASHTAG_BEFORE_CARET.exec(before);
  if (tag && /\p{L}/u.test(tag[2] + (/^[\p{L}\p{N}\p{M}_]*/u.exec(after)?.[0] ?? ''))) {
    const start = tag.index + tag[1].length;
    const tail = /^[\p{L}\p{N}\p{M}_]*/u.exec(after)?.[0] ?? '';
    return { kind: 'hashtag', query: tag[2], start, end: caret + tail.length };
  }
  return null;
}

/** `text` with `token` replaced by `replacement` and a space; the caret goes after it. */
export function applyCompletion(text: string, token: Token, replacement: string): { text: string; caret: number } {
  const rest = text.slice(token.end);
  const spaced = /^\s/.test(rest) ? replacement : `${replacement} `;
  const head = text.slice(0, token.start) + spaced;
  return { text: head + rest, caret: head.length + (spaced === replacement ? 1 : 0) };
}

/** `@author @other ` for a reply: everyone in the conversation except me, author first. */
export function replyPrefix(parent: Pick<Status, 'account' | 'mentions'>, me: Pick<Account, 'id' | 'acct'>): string {
  const accts: string[] = [];
  const add = (id: string, acct: string) => {
    if (id === me.id || acct === me.acct || accts.includes(acct)) return;
    accts.push(acct);
  };
  add(parent.account.id, parent.account.acct);
  for (const mention of parent.mentions) add(mention.id, mention.acct);
  return accts.map((acct) => `@${acct} `).join('');
}

/** A fresh `Idempotency-Key`: one per draft, so a double click posts once. */
export function newDraftKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
