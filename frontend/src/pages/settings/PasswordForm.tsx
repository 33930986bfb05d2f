// Changing one's password (Loggia's POST /api/v1/loggia/password). The
// server signs out every other app and browser; this one stays signed in.

import { useState } from 'preact/hooks';

import { t } from '../../i18n';
import { useSession } from '../../session';
import { SaveBar, useSave } from './form';

export function PasswordForm() {
  const { client } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const { state, run, touch } = useSave();

  const submit = (event: Event) => {
    event.preventDefault();
    if (next !== again) {
      setMismatch(true);
      return;
    }
    void run(async () => {
      await client.post('/api/v1/loggia/password', { current_password: current, password: next });
      setCurrent('');
      setNext('');
      setAgain('');
    });
  };
  const edit = (set: (value: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    setMismatch(false);
    touch();
  };

  return (
    <form class="card settings-form" onSubmit={submit} aria-labelledby="settings-password">
      <h2 id="settings-password">{t('settings.password')}</h2>
      <p class="hint">{t('settings.password_hint')}</p>
      <div class="field">
        <label for="current-password">{t('settings.password_current')}</label>
        <input
          id="current-password"
          type="password"
          autocomplete="current-password"
          required
          value={current}
          onInput={edit(setCurrent)}
        />
      </div>
      <div class="field">
        <label for="new-password">{t('settings.password_new')}</label>
        <input
          id="new-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          value={next}
          onInput={edit(setNext)}
        />
      </div>
      <div class="field">
        <label for="new-password-again">{t('settings.password_again')}</label>
        <input
          id="new-password-again"
          type="password"
          autocomplete="new-password"
          required
          value={again}
          aria-invalid={mismatch}
          aria-describedby={mismatch ? 'password-mismatch' : undefined}
          onInput={edit(setAgain)}
        />
        {mismatch && (
          <span id="password-mismatch" class="inline-error">
            {t('settings.password_mismatch')}
          </span>
        )}
      </div>
      <SaveBar state={state} />
      {state.saved && (
        <p class="hint" role="status">
          {t('settings.password_changed')}
        </p>
      )}
    </form>
  );
}
