// Home, company and federated timelines. Home has the composer on top (on a
// phone, a "New post" link to the compose page instead); what the user posts
// appears at the top at once.

import { useCallback, useMemo, useState } from 'preact/hooks';

import type { Query } from '../api/client';
import { type TimelineKind, timeline } from '../api/statuses';
import type { Status as StatusEntity } from '../api/types';
import { Compose } from '../components/Compose';
import { PageTitle } from '../components/Layout';
import { PagedList } from '../components/PagedList';
import { Status } from '../components/Status';
import { Icon } from '../components/icons';
import { type MessageKey, t } from '../i18n';
import { statusFeed } from '../live-feeds';
import { Link } from '../router';
import { useSession } from '../session';

/** The stream that brings each timeline's new posts. */
const STREAMS = { home: 'user', local: 'public:local', federated: 'public:remote' } as const;

const TITLES: Record<TimelineKind, MessageKey> = {
  home: 'common.nav_home',
  local: 'common.nav_local',
  federated: 'common.nav_federated',
};

/** Stable across renders, so the list does not reload when the page re-renders. */
const statusKey = (status: StatusEntity) => status.id;

export function Timeline({ kind }: { kind: TimelineKind }) {
  const { client } = useSession();
  const [posted, setPosted] = useState<StatusEntity[]>([]);
  const load = useCallback((query: Query) => timeline(client, kind, { limit: 20, ...query }), [client, kind]);
  const feed = useMemo(() => statusFeed({ stream: STREAMS[kind] }), [kind]);
  const home = kind === 'home';
  return (
    <>
      <div class="page-header">
        <PageTitle>{t(TITLES[kind])}</PageTitle>
        {home && (
          <Link href="/web/compose" class="button primary phone-only">
            <Icon name="compose" size={18} />
            {t('common.nav_compose')}
          </Link>
        )}
      </div>
      {home && (
        <div class="home-compose">
          <Compose id="home-compose" onPosted={(status) => setPosted((old) => [status, ...old])} />
        </div>
      )}
      <PagedList<StatusEntity>
        key={kind}
        label={t(TITLES[kind])}
        load={load}
        keyOf={statusKey}
        live={feed}
        prepend={posted}
        empty={home ? t('timeline.home_empty') : undefined}
        render={(s, controls) => <Status status={s} onChange={controls.replace} onRemove={controls.remove} />}
      />
    </>
  );
}
