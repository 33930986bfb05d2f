// One held (or rejected) post in the review queue, with the reviewer's
// three decisions: approve, add a content warning and approve, reject with
// a reason.

import { useState } from 'preact/hooks';

import { type ReviewEntry, admin } from '../api/admin';
import { ApiError } from '../api/client';
import { RelativeTime } from '../components/time';
import { t } from '../i18n';
import { useSession } from '../session';
import { PostPreview } from './PostPreview';
import { actionError } from './common';

export type Decision = 'approved' | 'approved_cw' | 'rejected';

export interface ReviewItemProps {
  entry: ReviewEntry;
  /** The decision went through. */
  onDecided: (decision: Decision) => void;
  /** Someone else decided, or the post changed: the queue should be read again. */
  onStale: (message: string) => void;
}

type Open = 'none' | 'cw' | 'reject';

export function ReviewItem({ entry, onDecided, onStale }: ReviewItemProps) {
  const { client } = useSession();
  const [open, setOpen] = useState<Open>('none');
  const [cw, setCw] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `review-${entry.id}`;

  const decide = async (decision: Decision, call: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      onDecided(decision);
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && [404, 409, 422].includes(e.status)) onStale(e.message);
      else setError(actionError(e));
    }
  };

  const approve = () => void decide('approved', () => admin.reviews.approve(client, entry));
  const approveWithCw = (event: Event) => {
    event.preventDefault();
    if (!cw.trim()) return;
    void decide('approved_cw', () => admin.reviews.approve(client, entry, cw.trim()));
  };
  const reject = (event: Event) => {
    event.preventDefault();
    if (!reason.trim()) return;
    void decide('rejected', () => admin.reviews.reject(client, entry, reason.trim()));
  };

  return (
    <article class="card review-item" aria-labelledby={`${base}-why`}>
      <p id={`${base}-why`} class="review-why">
        <strong>{entry.state === 'pending' ? t('admin.reviews.held_because') : t('admin.reviews.rejected_because')}</strong>{' '}
        {entry.reason || t('admin.reviews.no_reason')}
      </p>
      <p class="muted review-meta">
        {entry.direction && <span>{t(entry.direction === 'inbound' ? 'admin.reviews.inbound' : 'admin.reviews.outbound')}</span>}
        {entry.requested_at && (
          <span>
            {t('admin.reviews.requested')} <RelativeTime iso={entry.requested_at} />
          </span>
        )}
        {entry.company_preview && <span>{t('admin.reviews.company_preview')}</span>}
      </p>
      <PostPreview status={entry.status} />
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
      {entry.state === 'pending' && (
        <div class="review-actions">
          <div class="actions-row">
            <button type="button" class="primary" disabled={busy} onClick={approve}>
              {t('admin.reviews.approve')}
            </button>
            <button type="button" disabled={busy} aria-expanded={open === 'cw'} onClick={() => setOpen(open === 'cw' ? 'none' : 'cw')}>
              {t('admin.reviews.approve_cw')}
            </button>
            <button type="button" class="danger" disabled={busy} aria-expanded={open === 'reject'} onClick={() => setOpen(open === 'reject' ? 'none' : 'reject')}>
              {t('admin.reviews.reject')}
            </button>
          </div>
          {open === 'cw' && (
            <form class="inline-form" onSubmit={approveWithCw}>
              <div class="field">
                <label for={`${base}-cw`}>{t('admin.reviews.cw_label')}</label>
                <input id={`${base}-cw`} value={cw} required maxLength={1000} onInput={(e) => setCw(e.currentTarget.value)} />
              </div>
              <button type="submit" class="primary" disabled={busy || !cw.trim()}>
                {t('admin.reviews.cw_submit')}
              </button>
            </form>
          )}
          {open === 'reject' && (
            <form class="inline-form" onSubmit={reject}>
              <div class="field">
                <label for={`${base}-reason`}>{t('admin.reviews.reason_label')}</label>
                <textarea
                  id={`${base}-reason`}
                  value={reason}
                  required
                  maxLength={1000}
                  rows={2}
                  aria-describedby={`${base}-reason-help`}
                  onInput={(e) => setReason(e.currentTarget.value)}
                />
                <p id={`${base}-reason-help`} class="help">
                  {t('admin.reviews.reason_help')}
                </p>
              </div>
              <button type="submit" class="danger" disabled={busy || !reason.trim()}>
                {t('admin.reviews.reject_submit')}
              </button>
            </form>
          )}
        </div>
      )}
    </article>
  );
}
