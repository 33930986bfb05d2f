// Authorize or reject one follow request (the requests page and
// follow_request notifications).

import { useEffect, useState } from 'preact/hooks';

import { accounts, relationshipOf } from '../../api/accounts';
import type { Account } from '../../api/types';
import { displayName } from '../../components/account';
import { describeError } from '../../components/feedback';
import { t } from '../../i18n';
import { useSession } from '../../session';

/**
 * Authorize and Reject for one waiting request. A notification outlives its
 * request, so with `checkPending` the buttons show only while the request
 * still waits (`requested_by`).
 */
export function RequestActions({ account, onDone, checkPending }: {
  account: Account;
  onDone?: (accepted: boolean) => void;
  checkPending?: boolean;
}) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<'authorized' | 'rejected' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<boolean | null>(checkPending ? null : true);

  useEffect(() => {
    if (!checkPending) return;
    let live = true;
    relationshipOf(session.client, account.id).then(
      (r) => live && setPending(!!r.requested_by),
      () => live && setPending(true), // Offer the buttons; the server will say if it is too late.
    );
    return () => {
      live = false;
    };
  }, [checkPending, session.client, account.id]);
  const answer = async (accept: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await (accept ? accounts.authorize : accounts.reject)(session.client, account.id);
      setDone(accept ? 'authorized' : 'rejected');
      onDone?.(accept);
      // The pending count on the profile and settings comes from `me`.
      void session.refreshMe().catch(() => undefined);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const name = displayName(account);
  if (pending === null) return null;
  if (!pending && !done) return <span class="request-done">{t('profile.request_answered')}</span>;
  if (done) {
    return (
      <span class="request-done" role="status">
        {done === 'authorized' ? t('profile.request_authorized') : t('profile.request_rejected')}
      </span>
    );
  }
  return (
    <span class="request-actions">
      <button type="button" class="primary" disabled={busy} aria-label={t('profile.authorize_name', { name })} onClick={() => answer(true)}>
        {t('profile.authorize')}
      </button>
      <button type="button" disabled={busy} aria-label={t('profile.reject_name', { name })} onClick={() => answer(false)}>
        {t('profile.reject')}
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
