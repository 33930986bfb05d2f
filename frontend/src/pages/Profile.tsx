// A person's page: who they are, the follow button, and their posts in three
// tabs (posts, posts and replies, media). The tab lives in the URL
// (`?tab=with_replies`) so it survives reload and the back button.

import { useCallback, useEffect, useState } from 'preact/hooks';

import { type ProfileTab, accounts, relationshipOf, tabQuery } from '../api/accounts';
import type { Query } from '../api/client';
import type { Account, Relationship, Status as StatusEntity } from '../api/types';
import { PagedList } from '../components/PagedList';
import { Status } from '../components/Status';
import { displayName } from '../components/account';
import { ErrorMessage, Loading } from '../components/feedback';
import { type MessageKey, t } from '../i18n';
import { Link, type Params, profilePath, useLocation } from '../router';
import { useSession } from '../session';
import { ProfileHeader } from './profile/ProfileHeader';
import { useAccount } from './profile/useAccount';

const TABS: [ProfileTab, MessageKey][] = [
  ['posts', 'profile.tab_posts'],
  ['with_replies', 'profile.tab_replies'],
  ['media', 'profile.tab_media'],
];

function tabOf(value: string | null): ProfileTab {
  return TABS.some(([tab]) => tab === value) ? (value as ProfileTab) : 'posts';
}

export function Profile({ params }: { params: Params }) {
  const state = useAccount(params.acct);
  if (state.kind === 'loading') return <Loading />;
  if (state.kind === 'error') return <ErrorMessage error={state.error} retry={state.retry} />;
  return <ProfileView account={state.account} replace={state.replace} />;
}

/** A post in the list; pinned ones come first on the Posts tab. */
interface Item {
  status: StatusEntity;
  pinned: boolean;
}

// Stable: PagedList reloads when `keyOf` changes identity.
const itemKey = (item: Item) => (item.pinned ? `pinned-${item.status.id}` : item.status.id);

function ProfileView({ account, replace }: { account: Account; replace: (account: Account) => void }) {
  const { client, me } = useSession();
  const { query } = useLocation();
  const tab = tabOf(query.get('tab'));
  const [relationship, setRelationship] = useState<Relationship | null>(null);

  useEffect(() => {
    if (account.id === me.id) return;
    let live = true;
    relationshipOf(client, account.id).then(
      (r) => live && setRelationship(r),
      () => undefined, // The follow button reports its own errors.
    );
    return () => {
      live = false;
    };
  }, [client, account.id, me.id]);

  const onRelationship = useCallback(
    async (fresh: Relationship) => {
      setRelationship(fresh);
      // The counts changed; read them again rather than guessing.
      const updated = await accounts.get(client, account.id).catch(() => null);
      if (updated) replace(updated);
    },
    [client, account.id, replace],
  );

  const load = useCallback(
    async (page: Query) => {
      const first = Object.keys(page).length === 0;
      const [list, pinned] = await Promise.all([
        accounts.statuses(client, account.id, { limit: 20, ...tabQuery(tab), ...page }),
        first && tab === 'posts' ? accounts.pinned(client, account.id).catch(() => []) : Promise.resolve([]),
      ]);
      const items: Item[] = [
        ...pinned.map((status) => ({ status, pinned: true })),
        ...list.items.map((status) => ({ status, pinned: false })),
      ];
      return { items, links: list.links };
    },
    [client, account.id, tab],
  );

  const base = profilePath(account.acct);
  const tabLabel = t(TABS.find(([id]) => id === tab)?.[1] ?? 'profile.tab_posts');
  return (
    <>
      <ProfileHeader account={account} relationship={relationship} onRelationship={onRelationship} />
      <nav class="tabs profile-tabs" aria-label={t('profile.tabs')}>
        {TABS.map(([id, label]) => (
          <Link key={id} href={id === 'posts' ? base : `${base}?tab=${id}`} aria-current={id === tab ? 'page' : undefined}>
            {t(label)}
          </Link>
        ))}
      </nav>
      <PagedList<Item>
        key={`${account.id}-${tab}`}
        label={t('profile.feed_label', { name: displayName(account), tab: tabLabel })}
        load={load}
        keyOf={itemKey}
        empty={t('profile.no_posts')}
        render={(item, controls) => (
          <>
            {item.pinned && <p class="pinned-label">{t('profile.pinned')}</p>}
            <Status
              status={item.status}
              onChange={(status) => controls.replace({ ...item, status })}
              onRemove={controls.remove}
            />
          </>
        )}
      />
    </>
  );
}
