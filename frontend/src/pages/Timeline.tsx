// Home, company and federated timelines.

import { useCallback } from 'preact/hooks';

import type { Query } from '../api/client';
import { type TimelineKind, timeline } from '../api/statuses';
import type { Status as StatusEntity } from '../api/types';
import { PageTitle } from '../components/Layout';
import { PagedList } from '../components/PagedList';
import { Status } from '../components/Status';
import { type MessageKey, t } from '../i18n';
import { useSession } from '../session';

const TITLES: Record<TimelineKind, MessageKey> = {
  home: 'common.nav_home',
  local: 'common.nav_local',
  federated: 'common.nav_federated',
};

export function Timeline({ kind }: { kind: TimelineKind }) {
  const { client } = useSession();
  const load = useCallback((query: Query) => timeline(client, kind, { limit: 20, ...query }), [client, kind]);
  return (
    <>
      <PageTitle>{t(TITLES[kind])}</PageTitle>
      <PagedList<StatusEntity>
        key={kind}
        label={t(TITLES[kind])}
        load={load}
        keyOf={(s) => s.id}
        live
        render={(s, controls) => <Status status={s} onChange={controls.replace} onRemove={controls.remove} />}
      />
    </>
  );
}
