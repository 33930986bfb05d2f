// The composer as a page of its own (the phone's "New post"); after posting,
// the new post's page shows it with its review state.

import { Compose } from '../components/Compose';
import { PageTitle } from '../components/Layout';
import { t } from '../i18n';
import { type Params, navigate, statusPath } from '../router';

export function ComposePage(_: { params: Params }) {
  return (
    <>
      <PageTitle>{t('compose.page_title')}</PageTitle>
      <Compose id="page-compose" onPosted={(status) => navigate(statusPath(status.id))} />
    </>
  );
}
