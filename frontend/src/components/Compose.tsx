// Writing a post: a new one (Home, the compose page), a reply (thread) or an
// edit. Shows the count against the server's limit, who the post reaches
// (and whether it leaves the company or waits for a reviewer), a content
// warning, images with descriptions, and sends each draft once: one
// Idempotency-Key per draft, so a double click or a retry cannot post twice.

import type { JSX, Ref } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';

import { media as mediaApi, statuses } from '../api/statuses';
import type { Status as StatusEntity, StatusSource } from '../api/types';
import { type Audience, audienceOf, audienceParams, defaultAudience, describeAudience, replyAudience } from '../audience';
import { type MessageKey, t, tn } from '../i18n';
import { useSession } from '../session';
import { AudiencePicker, FixedAudience } from './compose/AudiencePicker';
import { ComposeText } from './compose/ComposeText';
import { type DraftMedia, MediaEditor, draftFromAttachment, releasePreviews } from './compose/MediaEditor';
import { countCharacters, newDraftKey } from './compose/text';
import { describeError } from './feedback';

export interface ComposeProps {
  /** The post answered: the reply's audience starts from it. */
  replyTo?: StatusEntity;
  /** The post edited, with its source text; its audience cannot change. */
  editing?: { status: StatusEntity; source: StatusSource };
  /** Text a new draft starts with (the reply's mentions). */
  initialText?: string;
  onPosted: (status: StatusEntity) => void;
  inputRef?: Ref<HTMLTextAreaElement>;
  /** Prefix of the element ids, unique on the page. */
  id?: string;
}

type Notice = 'posted' | 'review' | null;

export function Compose({ replyTo, editing, initialText = '', onPosted, inputRef, id = 'compose' }: ComposeProps) {
  const { client, instance, preferences, me } = useSession();
  const startAudience = useMemo((): Audience => {
    if (editing) return audienceOf(editing.status);
    const preferred = defaultAudience(preferences);
    return replyTo ? replyAudience(replyTo, preferred) : preferred;
  }, [editing, replyTo, preferences]);

  const [text, setText] = useState(editing ? editing.source.text : initialText);
  const [cwOn, setCwOn] = useState(!!editing?.source.spoiler_text);
  const [cw, setCw] = useState(editing?.source.spoiler_text ?? '');
  const [audience, setAudience] = useState(startAudience);
  const [media, setMedia] = useState<DraftMedia[]>(() => editing?.status.media_attachments.map(draftFromAttachment) ?? []);
  const [draftKey, setDraftKey] = useState(newDraftKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const sending = useRef(false);
  const cwInput = useRef<HTMLInputElement>(null);
  const textBox = useRef<HTMLTextAreaElement | null>(null);
  const setTextBox = (node: HTMLTextAreaElement | null) => {
    textBox.current = node;
    if (typeof inputRef === 'function') inputRef(node);
    else if (inputRef) inputRef.current = node;
  };

  const config = instance.configuration.statuses;
  const used = countCharacters(text, cwOn ? cw : '', config.characters_reserved_per_url);
  const left = config.max_characters - used;
  const target = editing?.status ?? replyTo;
  const info = describeAudience(audience, {
    text: `${text} ${cwOn ? cw : ''}`,
    localDomain: instance.domain,
    preferences,
    replyToRemote: !!target && [target.account, ...target.mentions].some((a) => a.acct.includes('@')),
    replyToLocalOnly: !!replyTo?.local_only,
  });
  const title = instance.title || t('common.app_name');

  const blocked: MessageKey | null = media.some((m) => m.state === 'uploading')
    ? 'compose.blocked_uploading'
    : media.some((m) => m.state === 'failed')
      ? 'compose.blocked_failed'
      : !text.trim() && media.length === 0
        ? 'compose.blocked_empty'
        : null;

  const edit = (value: string) => {
    setText(value);
    setNotice(null);
  };

  const reset = () => {
    releasePreviews(media);
    setText(initialText);
    setCwOn(false);
    setCw('');
    setMedia([]);
    setAudience(startAudience);
    setDraftKey(newDraftKey());
  };

  const send = async (): Promise<StatusEntity> => {
    const spoiler = cwOn ? cw.trim() : '';
    const ids = media.flatMap((m) => (m.attachment ? [m.attachment.id] : []));
    if (editing) {
      const cwChanged = spoiler !== editing.source.spoiler_text.trim();
      return statuses.edit(client, editing.status.id, {
        status: text,
        spoiler_text: spoiler,
        sensitive: cwChanged ? !!spoiler : undefined,
        media_ids: ids,
        media_attributes: media.flatMap((m) => (m.attachment ? [{ id: m.attachment.id, description: m.description }] : [])),
      });
    }
    // Descriptions typed after the upload go to the server before the post.
    const described = media.filter((m) => m.attachment && m.description !== m.savedDescription);
    await Promise.all(described.map((m) => mediaApi.describe(client, m.attachment!.id, m.description)));
    if (described.length) {
      const saved = new Set(described.map((m) => m.key));
      setMedia((old) => old.map((m) => (saved.has(m.key) ? { ...m, savedDescription: m.description } : m)));
    }
    return statuses.create(
      client,
      {
        status: text,
        ...audienceParams(audience),
        // The server keeps a reply to a company-only post here; say so too.
        ...(replyTo?.local_only ? { local_only: true } : {}),
        spoiler_text: spoiler || undefined,
        sensitive: spoiler ? true : undefined,
        in_reply_to_id: replyTo?.id,
        media_ids: ids.length ? ids : undefined,
        // The language of the user's posts (a setting of its own, not the UI's).
        language: me.source.language || preferences['posting:default:language'] || undefined,
      },
      draftKey,
    );
  };

  const submit = async () => {
    if (sending.current || blocked || left < 0) return;
    sending.current = true;
    setBusy(true);
    setError(null);
    setNotice(null);
    let posted = false;
    try {
      const status = await send();
      if (!editing) reset();
      setNotice(status.loggia_review?.state === 'pending' ? 'review' : 'posted');
      onPosted(status);
      posted = !editing;
    } catch (e) {
      setError(describeError(e));
    } finally {
      sending.current = false;
      setBusy(false);
    }
    // Ready for the next post; after a failure only if the focus was lost
    // (the disabled button had it).
    const lost = !document.activeElement || document.activeElement === document.body;
    if (posted || lost) textBox.current?.focus();
  };

  const onKeyDown = (event: JSX.TargetedKeyboardEvent<HTMLFormElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  };

  const label = editing ? 'compose.label_edit' : replyTo ? 'compose.label_reply' : 'compose.label';
  const button = editing ? 'compose.submit_edit' : replyTo ? 'compose.submit_reply' : 'compose.submit';

  return (
    <form
      class="compose card"
      aria-label={t(editing ? 'compose.edit_title' : replyTo ? 'compose.form_reply' : 'compose.page_title')}
      onKeyDown={onKeyDown}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {cwOn && (
        <div class="field">
          <label for={`${id}-cw`}>{t('compose.cw_label')}</label>
          <input
            id={`${id}-cw`}
            ref={cwInput}
            type="text"
            value={cw}
            disabled={busy}
            aria-describedby={`${id}-cw-hint`}
            onInput={(event) => setCw(event.currentTarget.value)}
          />
          <span id={`${id}-cw-hint`} class="field-hint">
            {t('compose.cw_hint')}
          </span>
        </div>
      )}
      <ComposeText
        id={`${id}-text`}
        label={t(label)}
        value={text}
        onInput={edit}
        inputRef={setTextBox}
        readOnly={busy}
        describedBy={`${id}-count ${id}-audience-reach`}
        rows={replyTo ? 3 : 4}
      />
      <p class="compose-meta">
        <span id={`${id}-count`} class={`char-count${left < 0 ? ' over' : ''}`}>
          {left < 0 ? tn('compose.over', -left) : tn('compose.remaining', left)}
        </span>
        <span class="field-hint shortcut-hint">{t('compose.shortcut')}</span>
      </p>
      <MediaEditor id={`${id}-media`} items={media} update={setMedia} disabled={busy} />
      {editing ? (
        <FixedAudience id={`${id}-audience`} value={audience} info={info} title={title} />
      ) : (
        <AudiencePicker id={`${id}-audience`} value={audience} onChange={setAudience} info={info} title={title} disabled={busy} />
      )}
      {editing?.status.loggia_review && (
        <p class="notice" role="note">
          {t(editing.status.loggia_review.state === 'pending' ? 'compose.edit_pending' : 'compose.edit_rejected')}
        </p>
      )}
      <div class="compose-actions">
        <label class="checkbox">
          <input
            type="checkbox"
            checked={cwOn}
            disabled={busy}
            onChange={(event) => {
              setCwOn(event.currentTarget.checked);
              if (event.currentTarget.checked) setTimeout(() => cwInput.current?.focus());
            }}
          />{' '}
          {t('compose.cw_toggle')}
        </label>
        <button type="submit" class="primary" disabled={busy || !!blocked || left < 0}>
          {busy ? t('compose.submitting') : t(button)}
        </button>
      </div>
      {blocked && blocked !== 'compose.blocked_empty' && <p class="field-hint compose-blocked">{t(blocked)}</p>}
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
      <p class={notice === 'review' ? 'notice' : 'compose-posted'} role="status">
        {notice === 'review' ? t('compose.posted_review') : notice === 'posted' ? t('compose.posted') : ''}
      </p>
    </form>
  );
}
