// One person in a list (followers, search results): who, and a follow button.

import type { ComponentChildren } from 'preact';

import type { Account } from '../../api/types';
import { AccountLine, displayName } from '../../components/account';
import { FollowButton } from './FollowButton';

export function AccountRow({ account, children, badge }: { account: Account; children?: ComponentChildren; badge?: boolean }) {
  return (
    // An article, as the items of a feed must be.
    <article class="account-row" aria-label={displayName(account)}>
      <AccountLine account={account} />
      <div class="account-row-actions">{children ?? <FollowButton account={account} badge={badge} />}</div>
    </article>
  );
}
