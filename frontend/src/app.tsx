import { useCallback } from 'preact/hooks';

import { CALLBACK_PATH } from './auth/oauth';
import { Layout, PageTitle } from './components/Layout';
import { ErrorMessage, Loading } from './components/feedback';
import { t } from './i18n';
import { Callback } from './pages/Callback';
import { Welcome } from './pages/Welcome';
import { resolve } from './routes';
import { navigate, useLocation } from './router';
import { SessionProvider, useSessionState } from './session';

export function App() {
  const { path } = useLocation();
  const state = useSessionState();
  const signedIn = useCallback((to: string) => {
    // A full load: the session is read afresh with the new token.
    location.replace(to);
  }, []);

  if (path === CALLBACK_PATH) return <Callback onSignedIn={signedIn} />;
  switch (state.kind) {
    case 'loading':
      return (
        <main id="main" class="welcome">
          <Loading />
        </main>
      );
    case 'error':
      return (
        <main id="main" class="welcome">
          {state.signOut && <PageTitle>{t('common.account_blocked_title')}</PageTitle>}
          <ErrorMessage error={state.error} retry={state.retry} />
          {state.signOut && (
            <button type="button" onClick={state.signOut}>
              {t('common.sign_out')}
            </button>
          )}
        </main>
      );
    case 'anonymous':
      return <Welcome client={state.client} instance={state.instance} expired={state.expired} />;
    case 'ready': {
      const route = resolve(path);
      return (
        <SessionProvider session={state.session}>
          <Layout>
            {route ? (
              <route.page key={path} params={route.params} />
            ) : (
              <NotFound key={path} />
            )}
          </Layout>
        </SessionProvider>
      );
    }
  }
}

function NotFound() {
  return (
    <>
      <PageTitle>{t('common.not_found_title')}</PageTitle>
      <div class="error-box" role="alert">
        <p>{t('common.not_found')}</p>
        <button type="button" onClick={() => navigate('/web/home')}>
          {t('common.nav_home')}
        </button>
      </div>
    </>
  );
}
