// Posting defaults and the interface language. The UI takes its language
// from the account (`source.language`), so saving one re-reads the account
// and the whole app re-renders in the new language.

import { useState } from 'preact/hooks';

import { accounts } from '../../api/accounts';
import type { CredentialAccount } from '../../api/types';
import { type Audience, audienceOf, audienceParams } from '../../audience';
import { AUDIENCE_LABEL } from '../../components/Status';
import { type Locale, LOCALES, type MessageKey, t } from '../../i18n';
import { useSession } from '../../session';
import { Check } from './ProfileForm';
import { SaveBar, useSave } from './form';

/** Audiences one may choose as a default (direct messages are not a default). */
const DEFAULT_AUDIENCES: Audience[] = ['company', 'public', 'unlisted', 'followers'];

const AUDIENCE_HINT: Record<string, MessageKey> = {
  company: 'settings.audience_company_hint',
  public: 'settings.audience_public_hint',
  unlisted: 'settings.audience_unlisted_hint',
  followers: 'settings.audience_followers_hint',
};

/** Each language by its own name, so anyone can find theirs. */
const LANGUAGE_NAMES: Record<Locale, MessageKey> = {
  en: 'settings.language_en',
  it: 'settings.language_it',
};

function audienceFrom(me: CredentialAccount): Audience {
  const audience = audienceOf({ visibility: me.source.privacy, local_only: !!me.source.local_only });
  return audience === 'direct' ? 'followers' : audience;
}

function languageFrom(me: CredentialAccount): Locale {
  const language = me.source.language ?? '';
  return language in LOCALES ? (language as Locale) : 'en';
}

export function PreferencesForm() {
  const session = useSession();
  const { me, client } = session;
  const [audience, setAudience] = useState<Audience>(() => audienceFrom(me));
  const [sensitive, setSensitive] = useState(me.source.sensitive);
  const [language, setLanguage] = useState<Locale>(() => languageFrom(me));
  const { state, run, touch } = useSave();

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const params = audienceParams(audience);
      const form = new FormData();
      form.append('source[privacy]', params.visibility);
      form.append('source[local_only]', String(params.local_only));
      form.append('source[sensitive]', String(sensitive));
      form.append('source[language]', language);
      await accounts.updateCredentials(client, form);
      await session.refreshMe();
      await session.refreshPreferences();
    });
  };

  return (
    <form class="card settings-form" onSubmit={submit} aria-labelledby="settings-preferences">
      <h2 id="settings-preferences">{t('settings.preferences')}</h2>
      <div class="field">
        <label for="default-audience">{t('settings.audience')}</label>
        <select
          id="default-audience"
          value={audience}
          aria-describedby="default-audience-hint"
          onChange={(e) => {
            setAudience(e.currentTarget.value as Audience);
            touch();
          }}
        >
          {DEFAULT_AUDIENCES.map((a) => (
            <option key={a} value={a}>
              {t(AUDIENCE_LABEL[a])}
            </option>
          ))}
        </select>
        <span id="default-audience-hint" class="hint">
          {t(AUDIENCE_HINT[audience])}
        </span>
      </div>
      <Check
        id="default-sensitive"
        label={t('settings.sensitive')}
        hint={t('settings.sensitive_hint')}
        checked={sensitive}
        onChange={(on) => {
          setSensitive(on);
          touch();
        }}
      />
      <div class="field">
        <label for="language">{t('settings.language')}</label>
        <select
          id="language"
          value={language}
          aria-describedby="language-hint"
          onChange={(e) => {
            setLanguage(e.currentTarget.value as Locale);
            touch();
          }}
        >
          {(Object.keys(LANGUAGE_NAMES) as Locale[]).map((l) => (
            <option key={l} value={l} lang={l}>
              {t(LANGUAGE_NAMES[l])}
            </option>
          ))}
        </select>
        <span id="language-hint" class="hint">
          {t('settings.language_hint')}
        </span>
      </div>
      <SaveBar state={state} />
    </form>
  );
}
