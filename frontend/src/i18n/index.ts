// Translations: English and Italian. The language comes from the account's
// preference when signed in, else from the browser. Every English key must
// exist in Italian (the `satisfies` in each Italian file makes a missing one a
// type error), and `t` falls back to English, then to the key itself.

import enAdmin from './en/admin';
import enCommon from './en/common';
import enCompose from './en/compose';
import enNotifications from './en/notifications';
import enProfile from './en/profile';
import enSearch from './en/search';
import enSettings from './en/settings';
import enStatus from './en/status';
import enTimeline from './en/timeline';
import itAdmin from './it/admin';
import itCommon from './it/common';
import itCompose from './it/compose';
import itNotifications from './it/notifications';
import itProfile from './it/profile';
import itSearch from './it/search';
import itSettings from './it/settings';
import itStatus from './it/status';
import itTimeline from './it/timeline';

const en = {
  ...enCommon,
  ...enTimeline,
  ...enCompose,
  ...enStatus,
  ...enProfile,
  ...enNotifications,
  ...enSearch,
  ...enSettings,
  ...enAdmin,
};

export type MessageKey = keyof typeof en;

const it: Record<MessageKey, string> = {
  ...itCommon,
  ...itTimeline,
  ...itCompose,
  ...itStatus,
  ...itProfile,
  ...itNotifications,
  ...itSearch,
  ...itSettings,
  ...itAdmin,
};

export const LOCALES = { en, it } as const;
export type Locale = keyof typeof LOCALES;

let current: Locale = 'en';

/** The first supported language among the preferences given (e.g. "it-IT"). */
export function pickLocale(preferences: readonly (string | null | undefined)[]): Locale {
  for (const preference of preferences) {
    const base = preference?.toLowerCase().split(/[-_]/)[0];
    if (base && base in LOCALES) return base as Locale;
  }
  return 'en';
}

export function setLocale(locale: Locale): void {
  current = locale;
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

export function locale(): Locale {
  return current;
}

export type Vars = Record<string, string | number>;

export function translate(target: Locale, key: MessageKey, vars?: Vars): string {
  const template: string = LOCALES[target][key] ?? en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** The message `key` in the current language, with `{name}` filled from `vars`. */
export function t(key: MessageKey, vars?: Vars): string {
  return translate(current, key, vars);
}

/**
 * Plural forms: `key` + `.one` / `.other` (as Intl.PluralRules names them),
 * with `{count}` filled in.
 */
export function tn(key: string, count: number, vars?: Vars): string {
  const rule = new Intl.PluralRules(current).select(count);
  const candidate = `${key}.${rule}` as MessageKey;
  const chosen = candidate in en ? candidate : (`${key}.other` as MessageKey);
  return t(chosen, { count: new Intl.NumberFormat(current).format(count), ...vars });
}
