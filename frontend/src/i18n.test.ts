import { afterEach, describe, expect, it } from 'vitest';

import { LOCALES, type MessageKey, locale, pickLocale, setLocale, t, tn, translate } from './i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('pickLocale', () => {
  it('takes the base language of a regional tag', () => {
    expect(pickLocale(['it-IT'])).toBe('it');
    expect(pickLocale(['en-GB'])).toBe('en');
    expect(pickLocale(['IT_ch'])).toBe('it');
  });

  it('takes the first supported preference, skipping empty ones', () => {
    expect(pickLocale([null, undefined, '', 'de-DE', 'it', 'en'])).toBe('it');
  });

  it('falls back to English', () => {
    expect(pickLocale(['fr-FR', 'de'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});

describe('translate', () => {
  afterEach(() => setLocale('en'));

  it('fills placeholders and leaves unknown ones alone', () => {
    expect(translate('en', 'common.error', { message: 'boom' })).toBe('Something went wrong: boom');
    expect(translate('it', 'common.error', { message: 'boom' })).toBe('Qualcosa è andato storto: boom');
    expect(translate('en', 'common.error')).toBe('Something went wrong: {message}');
    expect(translate('en', 'profile.feed_label', { tab: 'Posts' })).toBe('Posts by {name}');
  });

  it('follows the current language', () => {
    setLocale('it');
    expect(locale()).toBe('it');
    expect(t('common.retry')).toBe('Riprova');
    setLocale('en');
    expect(t('common.retry')).toBe('Try again');
  });

  it('falls back to the key for a key it does not know', () => {
    expect(translate('it', 'no.such.key' as MessageKey)).toBe('no.such.key');
  });
});

describe('tn', () => {
  afterEach(() => setLocale('en'));

  it('chooses one or other and formats the count', () => {
    expect(tn('profile.followers_count', 1)).toBe('1 follower');
    expect(tn('profile.followers_count', 0)).toBe('0 followers');
    expect(tn('profile.followers_count', 1234)).toBe('1,234 followers');
  });

  it('uses Italian plural rules and number format', () => {
    setLocale('it');
    expect(tn('search.count', 1)).toBe('1 risultato');
    expect(tn('search.count', 2)).toBe('2 risultati');
    // Italian has a "many" category for millions; without such a key, "other" is used.
    expect(tn('search.count', 1_000_000)).toBe('1.000.000 risultati');
  });

  it('passes further placeholders through', () => {
    expect(tn('timeline.new_posts', 3)).toBe('Show 3 new posts');
  });
});

describe('the Italian translation', () => {
  const en = LOCALES.en as Record<string, string>;
  const it_ = LOCALES.it as Record<string, string>;

  it('has exactly the English keys', () => {
    expect(Object.keys(it_).sort()).toEqual(Object.keys(en).sort());
  });

  it('has a text for every key, with the same placeholders', () => {
    for (const key of Object.keys(en)) {
      expect(it_[key]?.trim(), key).toBeTruthy();
      expect(placeholders(it_[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('has both plural forms wherever English has one', () => {
    for (const key of Object.keys(en)) {
      if (key.endsWith('.one')) expect(en[key.replace(/\.one$/, '.other')], key).toBeDefined();
    }
  });
});
