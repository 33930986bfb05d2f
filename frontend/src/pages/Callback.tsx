// The page /oauth/authorize sends the browser back to: exchanges the code
// for a token, then goes where the user was headed.

import { useEffect, useState } from 'preact/hooks';

import { Client } from '../api/client';
import { SignInError, completeSignIn } from '../auth/oauth';
import { ErrorMessage, Loading } from '../components/feedback';
import { t } from '../i18n';

export function Callback({ onSignedIn }: { onSignedIn: (to: string) => void }) {
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    completeSignIn(new Client(), location.search).then(onSignedIn, setError);
  }, [onSignedIn]);
  return (
    <main id="main" class="welcome">
      {error === null ? (
        <Loading label={t('common.signing_in')} />
      ) : (
        <>
          {error instanceof SignInError ? (
            // Already a sentence of ours, in the reader's language.
            <p class="error-box" role="alert">
              {error.message}
            </p>
          ) : (
            <ErrorMessage error={error} />
          )}
          <a class="button" href="/">
            {t('common.sign_in')}
          </a>
        </>
      )}
    </main>
  );
}
