import { describe, expect, it } from 'vitest';

import { applyCompletion, countCharacters, newDraftKey, replyPrefix, tokenAt } from './components/compose/text';

describe('countCharacters', () => {
  it('counts Unicode scalar values of the trimmed text', () => {
    expect(countCharacters('héllo ✨')).toBe(7);
    expect(countCharacters('  padded \n')).toBe(6);
    expect(countCharacters('👩🏽‍💻')).toBe(4);
    expect(countCharacters('')).toBe(0);
  });

  it('counts every link as the reserved length', () => {
    const url = `https://example.com/${'x'.repeat(200)}`;
    expect(countCharacters(`Look ${url}`)).toBe(5 + 23);
    expect(countCharacters('https://a.co')).toBe(23);
    expect(countCharacters('https://a.co', '', 30)).toBe(30);
    // Trailing punctuation is not part of the link.
    expect(countCharacters('see https://a.co/x.')).toBe(4 + 23 + 1);
    // A link glued to a word is text.
    expect(countCharacters('xhttps://a.co')).toBe(13);
    expect(countCharacters('ftp://a.co')).toBe(10);
  });

  it('counts a mention as its user name only', () => {
    expect(countCharacters('@bob@partner.example hi')).toBe('@bob hi'.length);
    expect(countCharacters('@bob@localhost:3000 hi')).toBe('@bob hi'.length);
    expect(countCharacters('@alice')).toBe(6);
    // An e-mail address is not a mention.
    expect(countCharacters('mail alice@example.com')).toBe(22);
  });

  it('counts links and mentions together', () => {
    const url = `https://example.com/${'y'.repeat(100)}`;
    expect(countCharacters(`Look ${url} @bob@partner.example`)).toBe(5 + 23 + 1 + 4);
  });

  it('counts a hashtag whole, so a link cannot start inside it', () => {
    expect(countCharacters('#_https://example.com/long/path')).toBe('#_https://example.com/long/path'.length);
    expect(countCharacters('#tag')).toBe(4);
  });

  it('adds the content warning', () => {
    expect(countCharacters('body', 'cw ✨')).toBe(8);
  });
});

describe('tokenAt', () => {
  it('finds a mention being typed', () => {
    expect(tokenAt('hi @al', 6)).toEqual({ kind: 'mention', query: 'al', start: 3, end: 6 });
    expect(tokenAt('@bob@part', 9)).toEqual({ kind: 'mention', query: 'bob@part', start: 0, end: 9 });
    expect(tokenAt('(@al', 4)?.query).toBe('al');
  });

  it('covers the rest of the word when the caret is inside it', () => {
    expect(tokenAt('hi @alice there', 5)).toEqual({ kind: 'mention', query: 'a', start: 3, end: 9 });
  });

  it('finds a hashtag being typed', () => {
    expect(tokenAt('about #rus', 10)).toEqual({ kind: 'hashtag', query: 'rus', start: 6, end: 10 });
    expect(tokenAt('#caffè', 6)?.query).toBe('caffè');
  });

  it('ignores what is not a mention or hashtag', () => {
    expect(tokenAt('mail alice@exa', 14)).toBeNull();
    expect(tokenAt('a@', 2)).toBeNull();
    expect(tokenAt('@', 1)).toBeNull();
    expect(tokenAt('#', 1)).toBeNull();
    expect(tokenAt('issue#12', 8)).toBeNull();
    expect(tokenAt('#123', 4)).toBeNull();
    expect(tokenAt('https://x.example/#frag', 23)).toBeNull();
    expect(tokenAt('@al and more', 12)).toBeNull();
    expect(tokenAt('@al ', 4)).toBeNull();
  });
});

describe('applyCompletion', () => {
  it('replaces the token and adds a space', () => {
    const token = tokenAt('hi @al', 6)!;
    expect(applyCompletion('hi @al', token, '@alice')).toEqual({ text: 'hi @alice ', caret: 10 });
  });

  it('does not double a following space', () => {
    const token = tokenAt('#ru and', 3)!;
    expect(applyCompletion('#ru and', token, '#rust')).toEqual({ text: '#rust and', caret: 6 });
  });
});

describe('replyPrefix', () => {
  const me = { id: '1', acct: 'alice' };
  const account = (id: string, acct: string) => ({ id, acct, username: acct.split('@')[0], url: '' });

  it('mentions the author and everyone mentioned except me, once each', () => {
    const parent = {
      account: { ...account('2', 'bob'), display_name: '' } as never,
      mentions: [account('1', 'alice'), account('3', 'carol@partner.example'), account('2', 'bob')],
    };
    expect(replyPrefix(parent, me)).toBe('@bob @carol@partner.example ');
  });

  it('is empty when I reply to myself', () => {
    expect(replyPrefix({ account: account('1', 'alice') as never, mentions: [] }, me)).toBe('');
  });
});

describe('newDraftKey', () => {
  it('is random', () => {
    expect(newDraftKey()).toMatch(/^[0-9a-f]{32}$/);
    expect(newDraftKey()).not.toBe(newDraftKey());
  });
});
