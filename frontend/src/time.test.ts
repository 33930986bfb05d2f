import { describe, expect, it } from 'vitest';

import { absoluteTime, relativeTime } from './time';

const now = Date.parse('2026-06-15T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// ICU separates some parts with narrow no-break spaces; compare plain spaces.
const plain = (s: string) => s.replace(/\s/g, ' ');

describe('relativeTime', () => {
  it('says "now" within a minute, both ways', () => {
    expect(relativeTime(ago(20_000), now, 'en')).toBe('now');
    expect(relativeTime(ago(-20_000), now, 'en')).toBe('now');
    expect(relativeTime(ago(59_000), now, 'it')).toBe('ora');
  });

  it('counts minutes, hours and days in English', () => {
    expect(plain(relativeTime(ago(5 * MINUTE), now, 'en'))).toBe('5 min. ago');
    expect(plain(relativeTime(ago(2 * HOUR), now, 'en'))).toBe('2 hr. ago');
    expect(relativeTime(ago(DAY), now, 'en')).toBe('yesterday');
    expect(plain(relativeTime(ago(3 * DAY), now, 'en'))).toBe('3 days ago');
    expect(plain(relativeTime(ago(-3 * MINUTE), now, 'en'))).toBe('in 3 min.');
  });

  it('counts minutes, hours and days in Italian', () => {
    expect(plain(relativeTime(ago(5 * MINUTE), now, 'it'))).toBe('5 min fa');
    expect(plain(relativeTime(ago(2 * HOUR), now, 'it'))).toBe('2 h fa');
    expect(relativeTime(ago(DAY), now, 'it')).toBe('ieri');
    expect(plain(relativeTime(ago(3 * DAY), now, 'it'))).toBe('3 gg fa');
  });

  it('rounds to the nearest unit and switches units at the boundaries', () => {
    expect(plain(relativeTime(ago(59 * MINUTE), now, 'en'))).toBe('59 min. ago');
    expect(plain(relativeTime(ago(HOUR), now, 'en'))).toBe('1 hr. ago');
    expect(plain(relativeTime(ago(23 * HOUR), now, 'en'))).toBe('23 hr. ago');
    expect(plain(relativeTime(ago(6 * DAY), now, 'en'))).toBe('6 days ago');
  });

  it('gives a date after a week, with the year only when it differs', () => {
    expect(plain(relativeTime('2026-06-01T12:00:00Z', now, 'en'))).toBe('Jun 1');
    expect(plain(relativeTime('2026-06-01T12:00:00Z', now, 'it'))).toBe('1 giu');
    expect(plain(relativeTime('2024-01-02T12:00:00Z', now, 'en'))).toBe('Jan 2, 2024');
    expect(plain(relativeTime('2024-01-02T12:00:00Z', now, 'it'))).toBe('2 gen 2024');
  });

  it('is empty for a time it cannot read', () => {
    expect(relativeTime('not a date', now, 'en')).toBe('');
  });
});

describe('absoluteTime', () => {
  const iso = '2026-03-15T12:00:00Z';

  it('uses the time zone given', () => {
    expect(plain(absoluteTime(iso, 'en', 'UTC'))).toBe('March 15, 2026 at 12:00 PM');
    expect(plain(absoluteTime(iso, 'en', 'Europe/Rome'))).toBe('March 15, 2026 at 1:00 PM');
    expect(plain(absoluteTime(iso, 'en', 'America/New_York'))).toBe('March 15, 2026 at 8:00 AM');
  });

  it('speaks Italian', () => {
    expect(plain(absoluteTime(iso, 'it', 'Europe/Rome'))).toBe('15 marzo 2026 alle ore 13:00');
  });

  it('is empty for a time it cannot read', () => {
    expect(absoluteTime('', 'en', 'UTC')).toBe('');
  });
});
