import { describe, expect, it } from 'vitest';

import type { Status } from '../api/types';
import { hashtagName } from './content-links';
import { mergeAnswer, pickStatus, revertToggle, withToggle } from './status-actions';

const post = (extra: Partial<Status> = {}): Status =>
  ({
    id: '1',
    favourited: false,
    reblogged: false,
    bookmarked: false,
    favourites_count: 3,
    reblogs_count: 1,
    reblog: null,
    tags: [],
    ...extra,
  }) as Status;

describe('withToggle', () => {
  it('sets the field and moves its count', () => {
    expect(withToggle(post(), 'favourited', true)).toMatchObject({ favourited: true, favourites_count: 4 });
    expect(withToggle(post({ reblogged: true }), 'reblogged', false)).toMatchObject({ reblogged: false, reblogs_count: 0 });
    expect(withToggle(post(), 'bookmarked', true)).toMatchObject({ bookmarked: true, favourites_count: 3, reblogs_count: 1 });
  });

  it('never goes below zero and leaves an unchanged field alone', () => {
    expect(withToggle(post({ favourited: true, favourites_count: 0 }), 'favourited', false).favourites_count).toBe(0);
    const same = post({ favourited: true });
    expect(withToggle(same, 'favourited', true)).toBe(same);
  });
});

describe('revertToggle', () => {
  it('puts back only the failed field and its count', () => {
    const before = post();
    // Favourite and bookmark both under way; the favourite fails.
    const shown = withToggle(withToggle(before, 'favourited', true), 'bookmarked', true);
    const reverted = revertToggle(shown, before, 'favourited');
    expect(reverted).toMatchObject({ favourited: false, favourites_count: 3, bookmarked: true });
  });
});

describe('mergeAnswer', () => {
  it('takes the answer but keeps toggles still under way as shown', () => {
    const shown = post({ favourited: true, favourites_count: 4, bookmarked: true });
    // The bookmark answer was made before the favourite reached the server.
    const answer = post({ bookmarked: true, favourited: false, favourites_count: 3, replies_count: 2 } as Partial<Status>);
    expect(mergeAnswer(shown, answer, ['favourited'])).toMatchObject({
      bookmarked: true,
      favourited: true,
      favourites_count: 4,
      replies_count: 2,
    });
    expect(mergeAnswer(shown, answer, [])).toMatchObject({ favourited: false, favourites_count: 3 });
  });
});

describe('pickStatus', () => {
  it('finds the post in a boost answer', () => {
    const inner = post({ id: '7' });
    expect(pickStatus(post({ id: '9', reblog: inner }), '7')).toBe(inner);
    expect(pickStatus(inner, '7')).toBe(inner);
    expect(pickStatus(post({ id: '9' }), '7')).toBeNull();
  });
});

describe('hashtagName', () => {
  const tags = [{ name: 'rust', url: 'https://loggia.example/tags/rust' }];

  it('knows the post’s own tags and links marked as hashtags', () => {
    expect(hashtagName({ href: 'https://loggia.example/tags/rust', classes: [], text: '#Rust' }, tags)).toBe('rust');
    expect(hashtagName({ href: 'https://other.example/tags/Café', classes: ['mention', 'hashtag'], text: '#Café' }, [])).toBe('Café');
  });

  it('leaves other links alone, even when they look like tag pages', () => {
    expect(hashtagName({ href: 'https://evil.example/tags/rust', classes: [], text: 'click' }, tags)).toBeNull();
    expect(hashtagName({ href: 'https://example.com/', classes: [], text: '#rust' }, tags)).toBeNull();
    expect(hashtagName({ href: '', classes: ['hashtag'], text: '#' }, [])).toBeNull();
  });
});
