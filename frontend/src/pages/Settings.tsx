// The signed-in user's settings: the public profile, posting defaults and
// language, the password, follow requests (for locked accounts) and signing
// out.

import { PageTitle } from '../components/Layout';
import { t, tn } from '../i18n';
import { Link, type Params, profilePath } from '../router';
import { useSession } from '../session';
import { PasswordForm } from './settings/PasswordForm';
import { PreferencesForm } from './settings/PreferencesForm';
import { ProfileForm } from './settings/ProfileForm';

export function Settings(_: { params: Params }) {
  const session = useSession();
  const { me } = session;
  const requests = me.source.follow_requests_count ?? 0;
  return (
    <>
      <PageTitle>{t('settings.title')}</PageTitle>
      <p class="settings-links">
        <Link href={profilePath(me.acct)}>{t('settings.view_profile')}</Link>
        {(me.locked || requests > 0) && (
          <Link href="/web/follow_requests">{tn('settings.requests_link', requests)}</Link>
        )}
      </p>
      <ProfileForm />
      <PreferencesForm />
      <PasswordForm />
      <section class="card" aria-labelledby="settings-account">
        <h2 id="settings-account">{t('settings.account')}</h2>
        <p class="hint">{t('settings.signed_in_as', { acct: `@${me.acct}@${session.instance.domain}` })}</p>
        <button type="button" onClick={() => void session.signOut()}>
          {t('common.sign_out')}
        </button>
      </section>
    </>
  );
}
