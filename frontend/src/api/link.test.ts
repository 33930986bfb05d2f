import { describe, expect, it } from 'vitest';

import { parseLink } from './link';

describe('parseLink', () => {
  it('reads next and prev as queries', () => {
    const header =
      '<https://loggia.example/api/v1/timelines/home?limit=20&max_id=109>; rel="next", ' +
      '<https://loggia.example/api/v1/timelines/home?limit=20&min_id=120>; rel="prev"';
    expect(parseLink(header)).toEqual({
      next: { limit: '20', max_id: '109' },
      prev: { limit: '20', min_id: '120' },
    });
  });

  it('accepts unquoted, upper-case relations, extra spaces and relative URLs', () => {
    expect(parseLink('  </api/v1/follow_requests?max_id=7> ;  rel=NEXT ')).toEqual({ next: { max_id: '7' } });
  });

  it('decodes escaped parameters', () => {
    expect(parseLink('<https://x.example/api/v1/notifications?types%5B%5D=mention&q=a%20b>; rel="next"')).toEqual({
      next: { 'types[]': 'mention', q: 'a b' },
    });
  });

  it('ignores other relations', () => {
    expect(parseLink('<https://x.example/a?page=2>; rel="last", <https://x.example/a?max_id=1>; rel="next"')).toEqual({
      next: { max_id: '1' },
    });
  });

  it('is empty for a missing header or garbage', () => {
    expect(parseLink(null)).toEqual({});
    expect(parseLink('')).toEqual({});
    expect(parseLink('garbage')).toEqual({});
    expect(parseLink('<>; rel="next"')).toEqual({ next: {} });
    expect(parseLink('https://x.example/?max_id=1; rel="next"')).toEqual({});
    expect(parseLink('<http://[::1/?max_id=1>; rel="next"')).toEqual({});
  });
});
