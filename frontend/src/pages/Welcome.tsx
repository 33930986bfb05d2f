// What a visitor who is not signed in sees: what this is, and the way in.

import { useState } from 'preact/hooks';

import type { Client } from '../api/client';
import type { Instance } from '../api/types';
import { beginSignIn } from '../auth/oauth';
import { ErrorMessage } from '../components/feedback';
import { t } from '../i18n';

export function Welcome({ client, instance, expired }: { client: Client; instance: Instance | null; expired: boolean }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const returnTo = location.pathname.startsWith('/web/') ? location.pathname + location.search : '/';
  const signIn = async () => {
    setBusy(true);
    setError(null);
    try {
      await beginSignIn(client, returnTo);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const title = instance?.title || t('common.app_name');
  document.title = title;
  return (
    <main id="main" class="welcome">
      <h1>{t('common.welcome_title', { title })}</h1>
      <p>{instance?.description || t('common.welcome_text')}</p>
      {expired && (
        <p class="notice" role="status">
          {t('common.signed_out')}
        </p>
      )}
      {error !== null && <ErrorMessage error={error} />}
      <div class="actions">
        <button type="button" class="primary" onClick={signIn} disabled={busy}>
          {t('common.sign_in')}
        </button>
        {instance?.registrations.enabled && (
          <a class="button" href="/auth/sign_up">
            {t('common.sign_up')}
          </a>
        )}
      </div>
    </main>
  );
}
