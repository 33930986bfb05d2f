// The public profile: names, bio, pictures, up to four fields, and who may
// follow without asking. Sent as one multipart PATCH update_credentials.

import { useState } from 'preact/hooks';

import { accounts } from '../../api/accounts';
import type { CredentialAccount } from '../../api/types';
import { t, tn } from '../../i18n';
import { useSession } from '../../session';
import { ImageField } from './ImageField';
import { FieldError, SaveBar, useSave } from './form';

const MAX_FIELDS = 4;
const MAX_NAME = 30;
const MAX_NOTE = 500;

interface Draft {
  displayName: string;
  note: string;
  locked: boolean;
  bot: boolean;
  discoverable: boolean;
  fields: { name: string; value: string }[];
}

function draftOf(me: CredentialAccount): Draft {
  const source = me.source.fields.length ? me.source.fields : me.fields;
  const fields = Array.from({ length: MAX_FIELDS }, (_, i) => ({
    name: source[i]?.name ?? '',
    value: source[i]?.value ?? '',
  }));
  return {
    displayName: me.display_name,
    note: me.source.note ?? '',
    locked: me.locked,
    bot: me.bot,
    discoverable: !!(me.source.discoverable ?? me.discoverable),
    fields,
  };
}

export function ProfileForm() {
  const session = useSession();
  const { me, client } = session;
  const [draft, setDraft] = useState(() => draftOf(me));
  const [avatar, setAvatar] = useState<File | null>(null);
  const [header, setHeader] = useState<File | null>(null);
  const [generation, setGeneration] = useState(0);
  const { state, run, touch } = useSave();
  const errors = state.fields;

  const change = (patch: Partial<Draft>) => {
    setDraft((old) => ({ ...old, ...patch }));
    touch();
  };
  const changeField = (i: number, patch: Partial<Draft['fields'][number]>) =>
    change({ fields: draft.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)) });

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const form = new FormData();
      form.append('display_name', draft.displayName);
      form.append('note', draft.note);
      form.append('locked', String(draft.locked));
      form.append('bot', String(draft.bot));
      form.append('discoverable', String(draft.discoverable));
      // Every slot is sent, so emptied ones are removed.
      draft.fields.forEach((f, i) => {
        form.append(`fields_attributes[${i}][name]`, f.name);
        form.append(`fields_attributes[${i}][value]`, f.value);
      });
      if (avatar) form.append('avatar', avatar);
      if (header) form.append('header', header);
      await accounts.updateCredentials(client, form);
      await session.refreshMe();
      setAvatar(null);
      setHeader(null);
      setGeneration((n) => n + 1);
    });
  };

  const described = (id: string, hint?: string) =>
    [hint, errors[id] ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

  return (
    <form class="card settings-form" onSubmit={submit} aria-labelledby="settings-profile" noValidate>
      <h2 id="settings-profile">{t('settings.profile')}</h2>
      <div class="field">
        <label for="display_name">{t('settings.display_name')}</label>
        <input
          id="display_name"
          value={draft.displayName}
          maxLength={MAX_NAME}
          aria-describedby={described('display_name')}
          aria-invalid={errors.display_name ? true : undefined}
          onInput={(e) => change({ displayName: e.currentTarget.value })}
        />
        <FieldError id="display_name-error" message={errors.display_name} />
      </div>
      <div class="field">
        <label for="note">{t('settings.note')}</label>
        <textarea
          id="note"
          rows={4}
          value={draft.note}
          maxLength={MAX_NOTE}
          aria-describedby={described('note', 'note-hint')}
          aria-invalid={errors.note ? true : undefined}
          onInput={(e) => change({ note: e.currentTarget.value })}
        />
        <span id="note-hint" class="hint">
          {tn('settings.note_left', MAX_NOTE - draft.note.length)}
        </span>
        <FieldError id="note-error" message={errors.note} />
      </div>
      <div class="image-fields">
        <ImageField
          key={`avatar-${generation}`}
          id="avatar"
          kind="avatar"
          label={t('settings.avatar')}
          hint={t('settings.avatar_hint')}
          previewAlt={t('settings.avatar_preview')}
          current={me.avatar_static || me.avatar}
          file={avatar}
          onFile={(file) => {
            setAvatar(file);
            touch();
          }}
          error={errors.avatar}
        />
        <ImageField
          key={`header-${generation}`}
          id="header"
          kind="header"
          label={t('settings.header')}
          hint={t('settings.header_hint')}
          previewAlt={t('settings.header_preview')}
          current={me.header_static || me.header}
          file={header}
          onFile={(file) => {
            setHeader(file);
            touch();
          }}
          error={errors.header}
        />
      </div>
      <fieldset class="profile-fields-edit">
        <legend>{t('settings.fields')}</legend>
        <p class="hint">{t('settings.fields_hint')}</p>
        {draft.fields.map((f, i) => (
          <div class="field-pair" key={i}>
            <input
              aria-label={t('settings.field_name', { n: i + 1 })}
              placeholder={t('settings.field_name_placeholder')}
              value={f.name}
              maxLength={255}
              onInput={(e) => changeField(i, { name: e.currentTarget.value })}
            />
            <input
              aria-label={t('settings.field_value', { n: i + 1 })}
              placeholder={t('settings.field_value_placeholder')}
              value={f.value}
              maxLength={255}
              onInput={(e) => changeField(i, { value: e.currentTarget.value })}
            />
          </div>
        ))}
        <FieldError id="fields-error" message={errors.fields_attributes ?? errors.fields} />
      </fieldset>
      <fieldset>
        <legend>{t('settings.privacy')}</legend>
        <Check id="locked" label={t('settings.locked')} hint={t('settings.locked_hint')} checked={draft.locked} onChange={(locked) => change({ locked })} />
        <Check id="discoverable" label={t('settings.discoverable')} hint={t('settings.discoverable_hint')} checked={draft.discoverable} onChange={(discoverable) => change({ discoverable })} />
        <Check id="bot" label={t('settings.bot')} hint={t('settings.bot_hint')} checked={draft.bot} onChange={(bot) => change({ bot })} />
      </fieldset>
      <SaveBar state={state} />
    </form>
  );
}

export function Check({ id, label, hint, checked, onChange }: {
  id: string;
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div class="setting-check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
      {hint && (
        <span id={`${id}-hint`} class="hint">
          {hint}
        </span>
      )}
    </div>
  );
}
