// One post as it appears in every list: who, when, to whom, what, and the
// actions on it. Favourite, boost and bookmark answer at once and undo
// themselves if the server refuses.

import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { ApiError } from '../api/client';
import { statuses } from '../api/statuses';
import type { MediaAttachment, Status as StatusEntity } from '../api/types';
import { type Audience, audienceOf } from '../audience';
import { type MessageKey, t } from '../i18n';
import { Link, navigate, profilePath, statusPath } from '../router';
import { useSession } from '../session';
import { AccountLine, displayName } from './account';
import { describeError } from './feedback';
import { Icon } from './icons';
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
  if (anchor.classList.contains('hashtag') || /\/tags\/[^/]+$/.test(href)) {
    const tag = decodeURIComponent(href.split('/tags/')[1] ?? '').replace(/^#/, '');
    if (tag) {
      event.preventDefault();
      navigate(`/web/tags/${encodeURIComponent(tag)}`);
    }
  }
}

function Media({ items, sensitive }: { items: MediaAttachment[]; sensitive: boolean }) {
  const [shown, setShown] = useState(!sensitive);
  if (!items.length) return null;
  return (
    <div class={`media media-${Math.min(items.length, 4)}`}>
      {!shown && (
        <button type="button" class="media-reveal" onClick={() => setShown(true)}>
          {t('status.sensitive_show')}
        </button>
      )}
      {shown &&
        items.map((item) => {
          const alt = item.description ?? '';
          if (item.type === 'video' || item.type === 'gifv') {
            return (
              <video
                key={item.id}
                src={item.url ?? undefined}
                poster={item.preview_url ?? undefined}
                controls={item.type === 'video'}
                autoPlay={item.type === 'gifv'}
                loop={item.type === 'gifv'}
                muted={item.type === 'gifv'}
                aria-label={alt || t('status.media_no_description')}
              />
            );
          }
          if (item.type === 'audio') {
            return <audio key={item.id} src={item.url ?? undefined} controls aria-label={alt} />;
          }
          return (
            <a key={item.id} href={item.url ?? item.remote_url ?? '#'} target="_blank" rel="noopener noreferrer">
              <img src={item.preview_url ?? item.url ?? ''} alt={alt} title={alt} loading="lazy" decoding="async" />
            </a>
          );
        })}
    </div>
  );
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
  const [error, setError] = useState<string | null>(null);
  const [cwOpen, setCwOpen] = useState(false);
  useEffect(() => setWrapper(outer), [outer]);
  const status = wrapper.reblog ?? wrapper;
  const own = status.account.id === me.id;
  const audience = audienceOf(status);
  const review = status.loggia_review;

  const update = (fresh: StatusEntity) => {
    const next = wrapper.reblog ? { ...wrapper, reblog: fresh } : fresh;
    setWrapper(next);
    onChange?.(next);
  };

  const toggle = async (
    field: 'favourited' | 'reblogged' | 'bookmarked',
    countField: 'favourites_count' | 'reblogs_count' | null,
    call: (on: boolean) => Promise<StatusEntity>,
  ) => {
    const on = !status[field];
    const optimistic = { ...status, [field]: on } as StatusEntity;
    if (countField) optimistic[countField] = Math.max(0, status[countField] + (on ? 1 : -1));
    update(optimistic);
    setError(null);
    try {
      const fresh = await call(on);
      // Boosting answers the boost wrapper; the post itself is inside.
      update(pick(fresh, status.id) ?? optimistic);
    } catch (e) {
      update(status);
      setError(describeError(e));
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
  const label = `${displayName(status.account)}, ${new Date(status.created_at).toLocaleString()}`;

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
         
          disabled={!canBoost}
          onClick={() => toggle('reblogged', 'reblogs_count', (on) => statuses.reblog(client, status.id, on))}
        >
          <Icon name="boost" size={18} />
<span class="visually-hidden">{t('status.boost')}</span> {status.reblogs_count || ''}
        </button>
        <button
          type="button"
          class="action"
          aria-pressed={!!status.favourited}
         
          disabled={!!review}
          onClick={() => toggle('favourited', 'favourites_count', (on) => statuses.favourite(client, status.id, on))}
        >
          <Icon name="star" size={18} />
<span class="visually-hidden">{t('status.favourite')}</span> {status.favourites_count || ''}
        </button>
        <button
          type="button"
          class="action"
          aria-pressed={!!status.bookmarked}
         
          onClick={() => toggle('bookmarked', null, (on) => statuses.bookmark(client, status.id, on))}
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

/** The post `id` in an answer that may be the post or a boost of it. */
function pick(fresh: StatusEntity, id: string): StatusEntity | null {
  if (fresh.id === id) return fresh;
  return fresh.reblog?.id === id ? fresh.reblog : null;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
