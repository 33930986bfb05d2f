// Event webhooks: Loggia tells another system when accounts, posts or
// reports change. The secret signing the bodies is shown once.

import { useCallback, useState } from 'preact/hooks';

import { WEBHOOK_EVENTS, type Webhook, type WebhookParams, admin } from '../api/admin';
import { Empty, Loading } from '../components/feedback';
import { t } from '../i18n';
import { useSession } from '../session';
import { AdminError, FormFooter, SecretField, SecretNotice, actionError, guarded, useAnnouncer, useLoaded } from './common';

function WebhookForm({ webhook, onSaved, onCancel }: { webhook: Webhook | null; onSaved: (w: Webhook) => void; onCancel: () => void }) {
  const { client } = useSession();
  const [form, setForm] = useState<WebhookParams>(() =>
    webhook ? { url: webhook.url, events: webhook.events, enabled: webhook.enabled } : { url: '', events: [], enabled: true },
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `webhook-${webhook?.id ?? 'new'}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const params = { ...form, url: form.url.trim(), secret: form.secret?.trim() || undefined };
    try {
      onSaved(webhook ? await admin.webhooks.update(client, webhook.id, params) : await admin.webhooks.create(client, params));
    } catch (e) {
      setError(actionError(e));
      setBusy(false);
    }
  };
  const toggle = (name: string, on: boolean) =>
    setForm({ ...form, events: on ? [...form.events, name] : form.events.filter((e) => e !== name) });

  return (
    <form class="card admin-form" onSubmit={submit}>
      <div class="field">
        <label for={`${base}-url`}>{t('admin.hooks.url')}</label>
        <input id={`${base}-url`} type="url" required value={form.url} onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} />
      </div>
      <fieldset class="choices">
        <legend>{t('admin.webhooks.events')}</legend>
        {WEBHOOK_EVENTS.map((name) => (
          <div key={name} class="check">
            <input id={`${base}-${name}`} type="checkbox" checked={form.events.includes(name)} onChange={(e) => toggle(name, e.currentTarget.checked)} />
            <label for={`${base}-${name}`}>
              <code>{name}</code>
            </label>
          </div>
        ))}
      </fieldset>
      <SecretField id={`${base}-secret`} value={form.secret} existing={!!webhook} onInput={(value) => setForm({ ...form, secret: value })} />
      <div class="check">
        <input id={`${base}-enabled`} type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })} />
        <label for={`${base}-enabled`}>{t('admin.hooks.enabled')}</label>
      </div>
      <FormFooter
        error={error}
        busy={busy || form.events.length === 0}
        submitLabel={webhook ? t('common.save') : t('admin.webhooks.create')}
        onCancel={onCancel}
      />
    </form>
  );
}

export function Webhooks() {
  const { client } = useSession();
  const load = useCallback(guarded(() => admin.webhooks.list(client)), [client]);
  const loaded = useLoaded(load);
  const [editing, setEditing] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [announcer, announce] = useAnnouncer();
  const webhooks = loaded.data ?? [];

  const remove = async (webhook: Webhook) => {
    if (!confirm(t('admin.webhooks.confirm_delete', { url: webhook.url }))) return;
    try {
      await admin.webhooks.remove(client, webhook.id);
      loaded.setData(webhooks.filter((w) => w.id !== webhook.id));
      announce(t('admin.webhooks.deleted'));
    } catch (e) {
      announce(actionError(e), true);
    }
  };
  const saved = (webhook: Webhook, created: boolean) => {
    setEditing(null);
    if (created) setSecret(webhook.secret ?? null);
    const clean = { ...webhook, secret: undefined };
    loaded.setData(created ? [...webhooks, clean] : webhooks.map((w) => (w.id === webhook.id ? clean : w)));
    announce(t('admin.webhooks.saved'));
  };

  if (loaded.error) return <AdminError error={loaded.error} retry={loaded.reload} />;
  return (
    <>
      {announcer}
      <SecretNotice secret={secret} onDone={() => setSecret(null)} />
      {editing === 'new' ? (
        <WebhookForm webhook={null} onCancel={() => setEditing(null)} onSaved={(w) => saved(w, true)} />
      ) : (
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          {t('admin.webhooks.new')}
        </button>
      )}
      {loaded.loading && !loaded.data ? (
        <Loading />
      ) : webhooks.length === 0 ? (
        <Empty text={t('admin.webhooks.empty')} />
      ) : (
        webhooks.map((w) =>
          editing === w.id ? (
            <WebhookForm key={w.id} webhook={w} onCancel={() => setEditing(null)} onSaved={(s) => saved(s, false)} />
          ) : (
            <div key={w.id} class="card admin-item">
              <div class="admin-item-head">
                <span class="url">{w.url}</span>
                <span class="badge">{w.enabled ? t('admin.rules.on') : t('admin.rules.off')}</span>
              </div>
              <p class="muted">{w.events.join(', ')}</p>
              <div class="actions-row">
                <button type="button" onClick={() => setEditing(w.id)} aria-label={t('admin.webhooks.edit_label', { url: w.url })}>
                  {t('admin.edit')}
                </button>
                <button type="button" class="danger" onClick={() => void remove(w)} aria-label={t('admin.webhooks.delete_label', { url: w.url })}>
                  {t('common.delete')}
                </button>
              </div>
            </div>
          ),
        )
      )}
    </>
  );
}
