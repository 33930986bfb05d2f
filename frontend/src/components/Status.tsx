// One post as it appears in every list: who, when, to whom, what, and the
// actions on it. Favourite, boost and bookmark answer at once and undo
// themselves if the server refuses; each waits for its own answer before
// it can be pressed again.

import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../api/client';
import { statuses } from '../api/statuses';
import type { Status as StatusEntity } from '../api/types';
import { type Audience, audienceOf } from '../audience';
import { type MessageKey, locale, t } from '../i18n';
import { Link, navigate, profilePath, statusPath } from '../router';
import { useSession } from '../session';
import { absoluteTime } from '../time';
import { AccountLine, displayName } from './account';
import { hashtagName } from './content-links';
import { describeError } from './feedback';
import { Icon } from './icons';
import { Media } from './Media';
import { type ToggleField, mergeAnswer, pickStatus, revertToggle, withToggle } from './status-actions';
import { RelativeTime } from './time';

export const AUDIENCE_LABEL: Record<Audience, MessageKey> = {
  company: 'status.audience_company',
  public: 'status.audience_public',
  unlisted: 'status.audience_unlisted',
  followers: 'status.audience_followers',
  direct: 'status.audience_direct',
};

/** Turns clicks on mentions and hashtags inside post HTML into in-app navigation. */
export function followContentLink(event: JSX.TargetedMouseEvent<HTMLElement>, status: StatusEntity): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as HTMLElement).closest('a');
  if (!anchor) return;
  const href = anchor.getAttribute('href') ?? '';
  const mention = status.mentions.find((m) => m.url === href);
  if (mention) {
    event.preventDefault();
    navigate(profilePath(mention.acct));
    return;
  }
  const tag = hashtagName({ href, classes: [...anchor.classList], text: anchor.textContent ?? '' }, status.tags ?? []);
  if (tag) {
    event.preventDefault();
    navigate(`/web/tags/${encodeURIComponent(tag)}`);
  }
}

export interface StatusProps {
  status: StatusEntity;
  onChange?: (status: StatusEntity) => void;
  onRemove?: () => void;
  /** The post the page is about (thread view): larger, no link to itself. */
  focused?: boolean;
}

export function Status({ status: outer, onChange, onRemove, focused }: StatusProps) {
  const session = useSession();
  const { client, me } = session;
  const [wrapper, setWrapper] = useState(outer);
  // The latest post, for answers that arrive after other changes.
  const latest = useRef(outer);
  const [error, setError] = useState<string | null>(null);
  const [cwOpen, setCwOpen] = useState(false);
  // Toggles waiting for the server, and a number per field so that only
  // the answer to its latest request counts.
  const pending = useRef(new Set<ToggleField>());
  const [busy, setBusy] = useState<ReadonlySet<ToggleField>>(new Set());
  const sequence = useRef<Record<ToggleField, number>>({ favourited: 0, reblogged: 0, bookmarked: 0 });
  useEffect(() => {
    latest.current = outer;
    setWrapper(outer);
  }, [outer]);
  const status = wrapper.reblog ?? wrapper;
  const own = status.account.id === me.id;
  const audience = audienceOf(status);
  const review = status.loggia_review;

  /** Changes the post (inside the boost, if this is one) and tells the list. */
  const patch = (change: (post: StatusEntity) => StatusEntity) => {
    const current = latest.current;
    const post = change(current.reblog ?? current);
    const next = current.reblog ? { ...current, reblog: post } : post;
    latest.current = next;
    setWrapper(next);
    onChange?.(next);
  };

  const toggle = async (field: ToggleField, call: (on: boolean) => Promise<StatusEntity>) => {
    if (pending.current.has(field)) return;
    const before = latest.current.reblog ?? latest.current;
    const on = !before[field];
    const mine = ++sequence.current[field];
    pending.current.add(field);
    setBusy(new Set(pending.current));
    patch((post) => withToggle(post, field, on));
    setError(null);
    try {
      const answer = await call(on);
      if (mine !== sequence.current[field]) return;
      pending.current.delete(field);
      // Boosting answers the boost wrapper; the post itself is inside.
      const fresh = pickStatus(answer, before.id);
      if (fresh) patch((post) => mergeAnswer(post, fresh, pending.current));
    } catch (e) {
      if (mine !== sequence.current[field]) return;
      pending.current.delete(field);
      patch((post) => revertToggle(post, before, field));
      setError(describeError(e));
    } finally {
      if (mine === sequence.current[field]) setBusy(new Set(pending.current));
    }
  };

  const remove = async () => {
    if (!confirm(t('status.delete_confirm'))) return;
    try {
      await statuses.remove(client, status.id);
      onRemove?.();
      if (focused) navigate('/');
    } catch (e) {
      setError(describeError(e));
    }
  };

  const canBoost = !review && (audience === 'public' || audience === 'unlisted' || audience === 'company' || (own && audience === 'followers'));
  const label = `${displayName(status.account)}, ${absoluteTime(status.created_at, locale())}`;

  return (
    <article class={`status${focused ? ' focused' : ''}${review ? ` review-${review.state}` : ''}`} aria-label={label}>
      {wrapper.reblog && (
        <p class="reblogged-by">
          <Link href={profilePath(wrapper.account.acct)}>
            {t('status.boosted_by', { name: displayName(wrapper.account) })}
          </Link>
        </p>
      )}
      <header>
        <AccountLine account={status.account} />
        <div class="meta">
          <span class={`audience audience-${audience}`} title={t(AUDIENCE_LABEL[audience])}>
            {t(AUDIENCE_LABEL[audience])}
          </span>
          {focused ? (
            <RelativeTime iso={status.created_at} />
          ) : (
            <Link href={statusPath(status.id)} class="permalink">
              <RelativeTime iso={status.created_at} />
            </Link>
          )}
          {status.edited_at && <span class="edited">({t('common.edited')})</span>}
        </div>
      </header>
      {review && (
        <p class={`review-state review-${review.state}`} role="note">
          {review.state === 'pending' ? t('status.review_pending') : t('status.review_rejected')}
          {review.reason ? ` ${t('status.review_reason', { reason: review.reason })}` : ''}
        </p>
      )}
      {status.in_reply_to_id && !focused && (
        <p class="reply-to">
          <Link href={statusPath(status.in_reply_to_id)}>{t('status.in_reply')}</Link>
        </p>
      )}
      {status.spoiler_text ? (
        <div class="cw">
          <p>
            <strong>{status.spoiler_text}</strong>{' '}
            <button type="button" class="link" aria-expanded={cwOpen} onClick={() => setCwOpen(!cwOpen)}>
              {cwOpen ? t('status.cw_hide') : t('status.cw_show')}
            </button>
          </p>
        </div>
      ) : null}
      {(!status.spoiler_text || cwOpen) && (
        <>
          <div
            class="content"
            lang={status.language ?? undefined}
            onClick={(event) => followContentLink(event, status)}
            // Server-sanitized HTML (Loggia cleans remote HTML with an allow-list).
            dangerouslySetInnerHTML={{ __html: status.content }}
          />
          <Media items={status.media_attachments} sensitive={status.sensitive} />
        </>
      )}
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
      <footer class="actions">
        <Link class="action" href={`${statusPath(status.id)}?reply=1`}>
          <Icon name="reply" size={18} />
<span class="visually-hidden">{t('status.reply')}</span> {status.replies_count || ''}
        </Link>
        <button
          type="button"
          class="action"
          aria-pressed={!!status.reblogged}
          aria-disabled={busy.has('reblogged') || undefined}
          disabled={!canBoost}
          onClick={() => toggle('reblogged', (on) => statuses.reblog(client, status.id, on))}
        >
          <Icon name="boost" size={18} />
<span class="visually-hidden">{t('status.boost')}</span> {status.reblogs_count || ''}
        </button>
        <button
          type="button"
          class="action"
          aria-pressed={!!status.favourited}
          aria-disabled={busy.has('favourited') || undefined}
          disabled={!!review}
          onClick={() => toggle('favourited', (on) => statuses.favourite(client, status.id, on))}
        >
          <Icon name="star" size={18} />
<span class="visually-hidden">{t('status.favourite')}</span> {status.favourites_count || ''}
        </button>
        <button
          type="button"
          class="action"
          aria-pressed={!!status.bookmarked}
          aria-disabled={busy.has('bookmarked') || undefined}
          onClick={() => toggle('bookmarked', (on) => statuses.bookmark(client, status.id, on))}
        >
          <Icon name="bookmark" size={18} />
<span class="visually-hidden">{t('status.bookmark')}</span>
        </button>
        {own && (
          <>
            <Link class="action" href={`${statusPath(status.id)}/edit`}>
              <Icon name="compose" size={18} />
<span class="visually-hidden">{t('status.edit')}</span>
            </Link>
            <button type="button" class="action danger" onClick={remove}>
              <Icon name="trash" size={18} />
<span class="visually-hidden">{t('status.delete')}</span>
            </button>
          </>
        )}
      </footer>
    </article>
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
