// Follow, unfollow or cancel a request, with a "Follows you" badge. The
// button shows what the server last said (the Relationship it answers), not
// what we hoped it would do: a locked or remote account answers "requested".

import { useEffect, useState } from 'preact/hooks';

import { accounts, relationshipOf } from '../../api/accounts';
import type { Account, Relationship } from '../../api/types';
import { displayName } from '../../components/account';
import { describeError } from '../../components/feedback';
import { t } from '../../i18n';
import { useSession } from '../../session';

export interface FollowButtonProps {
  account: Account;
  /** Already known (the profile page loads it); otherwise fetched in a batch. */
  relationship?: Relationship | null;
  onChange?: (relationship: Relationship) => void;
  /** Show the "Follows you" badge next to the button. */
  badge?: boolean;
}

export function FollowButton({ account, relationship: given, onChange, badge = true }: FollowButtonProps) {
  const { client, me } = useSession();
  const [relationship, setRelationship] = useState<Relationship | null>(given ?? null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (given) {
      setRelationship(given);
      return;
    }
    if (account.id === me.id) return;
    let live = true;
    relationshipOf(client, account.id).then(
      (r) => live && setRelationship(r),
      (e) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
  }, [client, account.id, me.id, given]);

  if (account.id === me.id) return null;

  const act = async () => {
    if (!relationship) return;
    const stop = relationship.following || relationship.requested;
    setBusy(true);
    setError(null);
    try {
      const fresh = await (stop ? accounts.unfollow(client, account.id) : accounts.follow(client, account.id));
      setRelationship(fresh);
      onChange?.(fresh);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const name = displayName(account);
  let label = t('profile.follow');
  let accessible = t('profile.follow_name', { name });
  let className = 'follow-button primary';
  if (relationship?.following) {
    label = t('profile.unfollow');
    accessible = t('profile.unfollow_name', { name });
    className = 'follow-button';
  } else if (relationship?.requested) {
    label = t('profile.requested');
    accessible = t('profile.cancel_request_name', { name });
    className = 'follow-button';
  } else if (relationship?.followed_by) {
    label = t('profile.follow_back');
    accessible = t('profile.follow_back_name', { name });
  }

  return (
    <span class="follow-control">
      {badge && relationship?.followed_by && <span class="badge">{t('profile.follows_you')}</span>}
      {relationship?.blocking ? (
        <span class="badge">{t('profile.blocked')}</span>
      ) : (
        <button
          type="button"
          class={className}
          aria-label={accessible}
          title={relationship?.requested ? t('profile.cancel_request') : undefined}
          disabled={!relationship || busy}
          aria-busy={!relationship || busy}
          onClick={act}
        >
          {label}
        </button>
      )}
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
