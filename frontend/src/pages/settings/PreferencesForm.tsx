// Posting defaults and the language of one's posts (`source.language`).
// That language is also the interface's when it is English or Italian (else
// the browser's language is), so saving re-reads the account and the app
// re-renders in it.

import { useState } from 'preact/hooks';

import { accounts } from '../../api/accounts';
import type { CredentialAccount } from '../../api/types';
import { type Audience, audienceOf, audienceParams } from '../../audience';
import { AUDIENCE_LABEL } from '../../components/Status';
import { type MessageKey, t } from '../../i18n';
import { languageChoices } from '../../languages';
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

function audienceFrom(me: CredentialAccount): Audience {
  const audience = audienceOf({ visibility: me.source.privacy, local_only: !!me.source.local_only });
  return audience === 'direct' ? 'followers' : audience;
}

export function PreferencesForm() {
  const session = useSession();
  const { me, client } = session;
  const [audience, setAudience] = useState<Audience>(() => audienceFrom(me));
  const [sensitive, setSensitive] = useState(me.source.sensitive);
  const saved = me.source.language ?? '';
  const [language, setLanguage] = useState(saved);
  const choices = languageChoices(saved);
  const { state, run, touch } = useSave();

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const params = audienceParams(audience);
      const form = new FormData();
      form.append('source[privacy]', params.visibility);
      form.append('source[local_only]', String(params.local_only));
      form.append('source[sensitive]', String(sensitive));
      // Only a change: saving other preferences must not set a language.
      if (language && language !== saved) form.append('source[language]', language);
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
            setLanguage(e.currentTarget.value);
            touch();
          }}
        >
          {!saved && <option value="">{t('settings.language_unset')}</option>}
          {choices.map((l) => (
            <option key={l.code} value={l.code} lang={l.code}>
              {l.name}
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
