// The user's bookmarks and favourites, newest first (paged with Link headers).

import { useCallback } from 'preact/hooks';

import type { Query } from '../api/client';
import type { Status as StatusEntity } from '../api/types';
import { PageTitle } from '../components/Layout';
import { PagedList } from '../components/PagedList';
import { Status } from '../components/Status';
import { type MessageKey, t } from '../i18n';
import type { Params } from '../router';
import { useSession } from '../session';

/** Stable across renders, so the list does not reload. */
const statusKey = (status: StatusEntity) => status.id;

function SavedList({ path, title, empty }: { path: string; title: MessageKey; empty: MessageKey }) {
  const { client } = useSession();
  const load = useCallback((query: Query) => client.page<StatusEntity>(path, { limit: 20, ...query }), [client, path]);
  return (
    <>
      <PageTitle>{t(title)}</PageTitle>
      <PagedList<StatusEntity>
        label={t(title)}
        load={load}
        keyOf={statusKey}
        empty={t(empty)}
        render={(s, controls) => <Status status={s} onChange={controls.replace} onRemove={controls.remove} />}
      />
    </>
  );
}

export function Bookmarks(_: { params: Params }) {
  return <SavedList path="/api/v1/bookmarks" title="common.nav_bookmarks" empty="timeline.bookmarks_empty" />;
}

export function Favourites(_: { params: Params }) {
  return <SavedList path="/api/v1/favourites" title="common.nav_favourites" empty="timeline.favourites_empty" />;
}
