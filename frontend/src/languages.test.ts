import { describe, expect, it } from 'vitest';

import { POST_LANGUAGES, languageChoices, languageName } from './languages';

describe('post languages', () => {
  it('offers the common ISO 639-1 languages by their own names', () => {
    const codes = POST_LANGUAGES.map((l) => l.code);
    for (const code of ['en', 'it', 'de', 'fr', 'es', 'pt', 'nl', 'pl', 'sv', 'da', 'fi', 'nb', 'cs', 'ja', 'zh', 'ko', 'ar', 'tr', 'uk', 'ru']) {
      expect(codes).toContain(code);
    }
    expect(new Set(codes).size).toBe(codes.length);
    expect(languageName('de')).toBe('Deutsch');
    expect(languageName('it')).toBe('Italiano');
  });

  it('keeps a current value that is not in the list', () => {
    const choices = languageChoices('eo');
    expect(choices[0].code).toBe('eo');
    expect(choices).toHaveLength(POST_LANGUAGES.length + 1);
    expect(languageChoices('de')).toHaveLength(POST_LANGUAGES.length);
    expect(languageChoices(null)).toHaveLength(POST_LANGUAGES.length);
  });

  it('names an unknown code by itself rather than failing', () => {
    expect(languageName('zz-invalid-@@')).toBe('zz-invalid-@@');
  });
});
