// Posts with one hashtag (GET /api/v1/timelines/tag/:tag).

import { useCallback, useMemo } from 'preact/hooks';

import { type Query, seg } from '../api/client';
import type { Status as StatusEntity } from '../api/types';
import { PageTitle } from '../components/Layout';
import { PagedList } from '../components/PagedList';
import { Status } from '../components/Status';
import { t } from '../i18n';
import { statusFeed } from '../live-feeds';
import type { Params } from '../router';
import { useSession } from '../session';

/** Stable across renders, so the list does not reload. */
const statusKey = (status: StatusEntity) => status.id;

export function TagTimeline({ params }: { params: Params }) {
  const { client } = useSession();
  const tag = params.tag.replace(/^#/, '');
  const load = useCallback(
    (query: Query) => client.page<StatusEntity>(`/api/v1/timelines/tag/${seg(tag)}`, { limit: 20, ...query }),
    [client, tag],
  );
  const feed = useMemo(() => statusFeed({ stream: 'hashtag', tag }), [tag]);
  return (
    <>
      <PageTitle>{`#${tag}`}</PageTitle>
      <PagedList<StatusEntity>
        key={tag}
        label={t('timeline.tag_label', { tag })}
        load={load}
        keyOf={statusKey}
        live={feed}
        empty={t('timeline.tag_empty', { tag })}
        render={(s, controls) => <Status status={s} onChange={controls.replace} onRemove={controls.remove} />}
      />
    </>
  );
}
