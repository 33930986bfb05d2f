// One notification as a sentence ("Bob favourited your post"), with the
// post it is about: in full for mentions and new posts, as a short quote
// for favourites, boosts and reviews.

import type { ComponentChildren } from 'preact';

import type { Notification, Status as StatusEntity } from '../../api/types';
import { Status } from '../../components/Status';
import { Avatar, displayName } from '../../components/account';
import { Icon, type IconName } from '../../components/icons';
import { RelativeTime } from '../../components/time';
import { type MessageKey, t } from '../../i18n';
import { Link, profilePath, statusPath } from '../../router';
import { RequestActions } from '../profile/RequestActions';

const SENTENCES: Record<string, MessageKey> = {
  mention: 'notifications.mention',
  status: 'notifications.status',
  reblog: 'notifications.reblog',
  follow: 'notifications.follow',
  follow_request: 'notifications.follow_request',
  favourite: 'notifications.favourite',
  poll: 'notifications.poll',
  update: 'notifications.update',
  'admin.sign_up': 'notifications.admin_sign_up',
  'admin.report': 'notifications.admin_report',
  'loggia.review_requested': 'notifications.review_requested',
  'loggia.review_approved': 'notifications.review_approved',
  'loggia.review_rejected': 'notifications.review_rejected',
};

const ICONS: Record<string, IconName> = {
  mention: 'reply',
  status: 'compose',
  reblog: 'boost',
  follow: 'person',
  follow_request: 'person',
  favourite: 'star',
  poll: 'bell',
  update: 'compose',
  'admin.sign_up': 'person',
  'admin.report': 'shield',
  'loggia.review_requested': 'shield',
  'loggia.review_approved': 'shield',
  'loggia.review_rejected': 'shield',
};

/** Types shown with the whole post (and its actions). */
const FULL = new Set(['mention', 'status', 'update']);

/** The translated sentence with the account's name as a link in place of `{name}`. */
function Sentence({ notification }: { notification: Notification }) {
  const key = SENTENCES[notification.type] ?? 'notifications.unknown';
  const template = t(key, { type: notification.type });
  const [before, after] = template.includes('{name}') ? template.split('{name}', 2) : [template, null];
  return (
    <p class="notification-sentence">
      {before}
      {after !== null && (
        <>
          <Link href={profilePath(notification.account.acct)}>
            <bdi>{displayName(notification.account)}</bdi>
          </Link>
          {after}
        </>
      )}
    </p>
  );
}

/** A few words of the post, as plain text, linking to it. */
function Quote({ status }: { status: StatusEntity }) {
  const target = status.reblog ?? status;
  const text = plainText(target.spoiler_text || target.content) || t('notifications.media_only');
  return (
    <blockquote class="notification-quote">
      <Link href={statusPath(target.id)}>{text.length > 200 ? `${text.slice(0, 200)}…` : text}</Link>
    </blockquote>
  );
}

function plainText(html: string): string {
  if (typeof DOMParser === 'undefined') return html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return (new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '').replace(/\s+/g, ' ').trim();
}

export function NotificationItem({ notification, onStatus }: {
  notification: Notification;
  onStatus: (status: StatusEntity) => void;
}) {
  const { type, status, account } = notification;
  const review = type === 'loggia.review_rejected' ? status?.loggia_review : null;
  let body: ComponentChildren = null;
  if (status && FULL.has(type)) body = <Status status={status} onChange={onStatus} />;
  else if (status) body = <Quote status={status} />;
  return (
    <article class={`notification notification-${type.replace('.', '-')}`} aria-label={t(SENTENCES[type] ?? 'notifications.unknown', { name: displayName(account), type })}>
      <div class="notification-head">
        <span class="notification-icon">
          <Icon name={ICONS[type] ?? 'bell'} size={16} />
        </span>
        {/* Decisions come from a reviewer the author need not see; requests show the author. */}
        {type === 'loggia.review_approved' || type === 'loggia.review_rejected' ? null : <Avatar account={account} size={32} />}
        <Sentence notification={notification} />
        <span class="notification-time">
          <RelativeTime iso={notification.created_at} />
        </span>
      </div>
      {review?.reason && <p class="review-state review-rejected">{t('notifications.review_reason', { reason: review.reason })}</p>}
      {type === 'follow_request' && (
        <div class="notification-actions">
          <RequestActions account={account} checkPending />
        </div>
      )}
      {type === 'loggia.review_requested' && (
        <p class="notification-actions">
          <Link href="/web/admin/reviews">{t('notifications.open_reviews')}</Link>
        </p>
      )}
      {type === 'admin.report' && notification.report && (
        <p class="notification-actions">
          {notification.report.comment && <q>{notification.report.comment}</q>}{' '}
          <Link href={`/web/admin/reports/${encodeURIComponent(notification.report.id)}`}>{t('notifications.open_report')}</Link>
        </p>
      )}
      {body}
    </article>
  );
}
