// A post's attachments. Addresses come from other servers, so only http(s)
// ones are used (`safeUrl`); what cannot be shown inline (an unknown type,
// or no usable address for the player or picture) is a plain link.

import { useState } from 'preact/hooks';

import type { MediaAttachment } from '../api/types';
import { t } from '../i18n';
import { safeUrl } from '../url';

function FileLink({ item }: { item: MediaAttachment }) {
  const description = item.description?.trim();
  const href = safeUrl(item.url) ?? safeUrl(item.remote_url);
  if (!href) {
    return (
      <p class="media-file">
        {description ? t('status.attachment_unavailable_described', { description }) : t('status.attachment_unavailable')}
      </p>
    );
  }
  return (
    <p class="media-file">
      <a href={href} target="_blank" rel="noopener noreferrer">
        {description ? t('status.attachment_open_described', { description }) : t('status.attachment_open')}
      </a>
    </p>
  );
}

function Attachment({ item }: { item: MediaAttachment }) {
  const alt = item.description ?? '';
  const url = safeUrl(item.url);
  const preview = safeUrl(item.preview_url);
  if ((item.type === 'video' || item.type === 'gifv') && url) {
    return (
      <video
        src={url}
        poster={preview ?? undefined}
        controls={item.type === 'video'}
        autoPlay={item.type === 'gifv'}
        loop={item.type === 'gifv'}
        muted={item.type === 'gifv'}
        aria-label={alt || t('status.media_no_description')}
      />
    );
  }
  if (item.type === 'audio' && url) {
    return <audio src={url} controls aria-label={alt || t('status.media_no_description')} />;
  }
  const source = preview ?? url;
  if (item.type === 'image' && source) {
    const full = url ?? safeUrl(item.remote_url) ?? source;
    return (
      <a href={full} target="_blank" rel="noopener noreferrer">
        <img src={source} alt={alt} title={alt} loading="lazy" decoding="async" />
      </a>
    );
  }
  return <FileLink item={item} />;
}

export function Media({ items, sensitive }: { items: MediaAttachment[]; sensitive: boolean }) {
  const [shown, setShown] = useState(!sensitive);
  if (!items.length) return null;
  return (
    <div class={`media media-${Math.min(items.length, 4)}`}>
      {!shown && (
        <button type="button" class="media-reveal" onClick={() => setShown(true)}>
          {t('status.sensitive_show')}
        </button>
      )}
      {shown && items.map((item) => <Attachment key={item.id} item={item} />)}
    </div>
  );
}
