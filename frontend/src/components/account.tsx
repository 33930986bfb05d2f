import type { Account } from '../api/types';
import { Link, profilePath } from '../router';
import { safeUrl } from '../url';

export function displayName(account: Pick<Account, 'display_name' | 'username'>): string {
  return account.display_name.trim() || account.username;
}

export function Avatar({ account, size = 46 }: { account: Account; size?: number }) {
  return (
    <img
      class="avatar"
      src={safeUrl(account.avatar_static) ?? safeUrl(account.avatar) ?? undefined}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      decoding="async"
    />
  );
}

/** Avatar, name and handle, linking to the profile. */
export function AccountLine({ account, size }: { account: Account; size?: number }) {
  return (
    <Link class="account-line" href={profilePath(account.acct)}>
      <Avatar account={account} size={size} />
      <span class="names">
        <bdi class="display-name">{displayName(account)}</bdi>
        <span class="handle">@{account.acct}</span>
      </span>
    </Link>
  );
}
