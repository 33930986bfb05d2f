// The images of a draft: chosen files upload at once (POST /api/v2/media)
// so the post is ready to send; each shows a thumbnail, its upload state and
// a description field, which is optional but asked for prominently.

import { media as mediaApi } from '../../api/statuses';
import type { MediaAttachment } from '../../api/types';
import { t, tn } from '../../i18n';
import { useSession } from '../../session';
import { safeUrl } from '../../url';
import { describeError } from '../feedback';
import { newDraftKey } from './text';

export interface DraftMedia {
  key: string;
  name: string;
  /** What the thumbnail shows: a local object URL until the server's preview exists. */
  preview: string;
  attachment: MediaAttachment | null;
  description: string;
  /** The description the server already has (to send only changes). */
  savedDescription: string;
  state: 'uploading' | 'ready' | 'failed';
  error?: string;
}

/** An attachment already on the server (when editing). */
export function draftFromAttachment(attachment: MediaAttachment): DraftMedia {
  const description = attachment.description ?? '';
  return {
    key: attachment.id,
    name: '',
    preview: safeUrl(attachment.preview_url) ?? safeUrl(attachment.url) ?? '',
    attachment,
    description,
    savedDescription: description,
    state: 'ready',
  };
}

/** Frees the local copies of the images (object URLs) once they are not shown. */
export function releasePreviews(items: DraftMedia[]): void {
  for (const item of items) if (item.preview.startsWith('blob:')) URL.revokeObjectURL(item.preview);
}

type Update = (change: (old: DraftMedia[]) => DraftMedia[]) => void;

interface Props {
  id: string;
  items: DraftMedia[];
  update: Update;
  disabled?: boolean;
}

export function MediaEditor({ id, items, update, disabled }: Props) {
  const { client, instance } = useSession();
  const max = instance.configuration.statuses.max_media_attachments || 4;
  const descriptionLimit = instance.configuration.media_attachments.description_limit ?? 1500;

  const change = (key: string, fields: Partial<DraftMedia>) =>
    update((old) => old.map((item) => (item.key === key ? { ...item, ...fields } : item)));

  const upload = (file: File) => {
    const key = newDraftKey();
    const fresh: DraftMedia = {
      key,
      name: file.name,
      preview: URL.createObjectURL(file),
      attachment: null,
      description: '',
      savedDescription: '',
      state: 'uploading',
    };
    if (!file.type.startsWith('image/')) {
      fresh.state = 'failed';
      fresh.error = t('compose.media_not_image', { name: file.name });
      update((old) => [...old, fresh]);
      return;
    }
    update((old) => [...old, fresh]);
    mediaApi.upload(client, file, '').then(
      (attachment) => change(key, { attachment, state: 'ready' }),
      (error) =>
        change(key, {
          state: 'failed',
          error: t('compose.media_failed', { name: file.name, message: describeError(error) }),
        }),
    );
  };

  const choose = (input: HTMLInputElement) => {
    const files = Array.from(input.files ?? []).slice(0, Math.max(0, max - items.length));
    input.value = '';
    files.forEach(upload);
  };

  const remove = (item: DraftMedia) => {
    releasePreviews([item]);
    update((old) => old.filter((other) => other.key !== item.key));
  };

  return (
    <div class="compose-media">
      {items.length > 0 && (
        <ul class="media-drafts">
          {items.map((item, index) => {
            const fieldId = `${id}-alt-${item.key}`;
            const number = index + 1;
            return (
              <li key={item.key} class={`media-draft media-draft-${item.state}`}>
                {safeUrl(item.preview) ? (
                  <img class="media-thumb" src={item.preview} alt={item.description} width={88} height={88} />
                ) : (
                  <div class="media-thumb" />
                )}
                <div class="media-draft-fields">
                  <p class="media-draft-title">
                    {t('compose.media_item', { number })}
                    {item.name && <span class="media-draft-name"> · {item.name}</span>}
                  </p>
                  {item.state === 'uploading' && (
                    <p class="media-progress">
                      <progress aria-label={t('compose.media_uploading', { name: item.name })} />{' '}
                      {t('compose.media_uploading', { name: item.name })}
                    </p>
                  )}
                  {item.state === 'failed' && (
                    <p class="inline-error" role="alert">
                      {item.error}
                    </p>
                  )}
                  {item.state !== 'failed' && (
                    <>
                      <label for={fieldId}>{t('compose.media_alt')}</label>
                      <textarea
                        id={fieldId}
                        rows={2}
                        maxLength={descriptionLimit}
                        value={item.description}
                        disabled={disabled}
                        aria-describedby={`${fieldId}-hint`}
                        onInput={(event) => change(item.key, { description: event.currentTarget.value })}
                      />
                      <span id={`${fieldId}-hint`} class={`field-hint${item.description.trim() ? '' : ' alt-missing'}`}>
                        {!item.description.trim() && <strong>{t('compose.media_alt_missing')}. </strong>}
                        {t('compose.media_alt_hint')}
                      </span>
                    </>
                  )}
                  <button type="button" class="link danger" disabled={disabled} onClick={() => remove(item)}>
                    {t('compose.media_remove', { number })}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {items.length < max ? (
        <p class="media-add">
          <input
            id={`${id}-file`}
            class="visually-hidden file-input"
            type="file"
            accept="image/*"
            multiple={max - items.length > 1}
            disabled={disabled}
            aria-describedby={`${id}-file-hint`}
            onChange={(event) => choose(event.currentTarget)}
          />
          <label for={`${id}-file`} class="button">
            {t('compose.media_add')}
          </label>{' '}
          <span id={`${id}-file-hint`} class="field-hint">
            {tn('compose.media_limit', max)}
          </span>
        </p>
      ) : (
        <p class="field-hint">{t('compose.media_full')}</p>
      )}
    </div>
  );
}
