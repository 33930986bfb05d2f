// A post as a reviewer or moderator needs to see it: everything shown at
// once (content warning, text, every attachment with its alt text, since
// rules read alt texts too), without the reader's actions.

import type { Status } from '../api/types';
import { audienceOf } from '../audience';
import { AUDIENCE_LABEL, followContentLink } from '../components/Status';
import { AccountLine } from '../components/account';
import { RelativeTime } from '../components/time';
import { t } from '../i18n';
import { Link, statusPath } from '../router';

export function PostPreview({ status }: { status: Status }) {
  const audience = audienceOf(status);
  return (
    <div class="post-preview">
      <div class="post-preview-head">
        <AccountLine account={status.account} size={36} />
        <div class="meta">
          <span class={`audience audience-${audience}`}>{t(AUDIENCE_LABEL[audience])}</span>
          <Link href={statusPath(status.id)} class="permalink">
            <RelativeTime iso={status.created_at} />
          </Link>
          {status.edited_at && <span class="edited">({t('common.edited')})</span>}
        </div>
      </div>
      {status.spoiler_text && (
        <p class="post-preview-cw">
          <strong>{t('admin.post.cw')}</strong> {status.spoiler_text}
        </p>
      )}
      <div
        class="content"
        lang={status.language ?? undefined}
        onClick={(event) => followContentLink(event, status)}
        // Server-sanitized HTML.
        dangerouslySetInnerHTML={{ __html: status.content }}
      />
      {status.sensitive && !status.spoiler_text && <p class="muted">{t('admin.post.sensitive')}</p>}
      {status.media_attachments.length > 0 && (
        <ul class="post-preview-media">
          {status.media_attachments.map((m) => (
            <li key={m.id}>
              {m.type === 'image' || m.type === 'gifv' ? (
                <a href={m.url ?? m.remote_url ?? '#'} target="_blank" rel="noopener noreferrer">
                  <img src={m.preview_url ?? m.url ?? ''} alt={m.description ?? ''} loading="lazy" />
                </a>
              ) : (
                <a href={m.url ?? m.remote_url ?? '#'} target="_blank" rel="noopener noreferrer">
                  {t('admin.post.attachment', { type: m.type })}
                </a>
              )}
              <p class="alt">
                {m.description ? t('admin.post.alt', { alt: m.description }) : t('admin.post.no_alt')}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
