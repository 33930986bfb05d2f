// Who follows someone, whom they follow, and the requests waiting for the
// signed-in user's approval (locked accounts).

import { useCallback } from 'preact/hooks';

import { accounts } from '../api/accounts';
import type { Query } from '../api/client';
import type { Account } from '../api/types';
import { PageTitle } from '../components/Layout';
import { PagedList } from '../components/PagedList';
import { displayName } from '../components/account';
import { ErrorMessage, Loading } from '../components/feedback';
import { t } from '../i18n';
import { Link, type Params, profilePath } from '../router';
import { useSession } from '../session';
import { AccountRow } from './profile/AccountRow';
import { RequestActions } from './profile/RequestActions';
import { useAccount } from './profile/useAccount';

type Direction = 'followers' | 'following';

// Stable: PagedList reloads when `keyOf` changes identity.
const accountKey = (a: Account) => a.id;

function FollowList({ acct, direction }: { acct: string; direction: Direction }) {
  const state = useAccount(acct);
  const { client, me } = useSession();
  const id = state.kind === 'ready' ? state.account.id : null;
  const load = useCallback(
    (query: Query) => {
      if (!id) return Promise.resolve({ items: [], links: {} });
      const call = direction === 'followers' ? accounts.followers : accounts.following;
      return call(client, id, { limit: 40, ...query });
    },
    [client, id, direction],
  );
  if (state.kind === 'loading') return <Loading />;
  if (state.kind === 'error') return <ErrorMessage error={state.error} retry={state.retry} />;
  const name = displayName(state.account);
  const title = direction === 'followers' ? t('profile.followers_of', { name }) : t('profile.following_of', { name });
  return (
    <>
      <p class="back-link">
        <Link href={profilePath(state.account.acct)}>{t('profile.back_to', { name })}</Link>
      </p>
      <PageTitle>{title}</PageTitle>
      <PagedList<Account>
        key={`${id}-${direction}`}
        label={title}
        load={load}
        keyOf={accountKey}
        empty={direction === 'followers' ? t('profile.no_followers') : t('profile.no_following')}
        // On one's own followers list "Follows you" would be on every row.
        render={(account) => <AccountRow account={account} badge={!(direction === 'followers' && id === me.id)} />}
      />
    </>
  );
}

export function Followers({ params }: { params: Params }) {
  return <FollowList acct={params.acct} direction="followers" />;
}

export function Following({ params }: { params: Params }) {
  return <FollowList acct={params.acct} direction="following" />;
}

export function FollowRequests(_: { params: Params }) {
  const { client } = useSession();
  const load = useCallback((query: Query) => accounts.followRequests(client, { limit: 40, ...query }), [client]);
  return (
    <>
      <PageTitle>{t('profile.requests_title')}</PageTitle>
      <p class="hint">{t('profile.requests_hint')}</p>
      <PagedList<Account>
        label={t('profile.requests_title')}
        load={load}
        keyOf={accountKey}
        empty={t('profile.no_requests')}
        render={(account) => (
          <AccountRow account={account}>
            <RequestActions account={account} />
          </AccountRow>
        )}
      />
    </>
  );
}
