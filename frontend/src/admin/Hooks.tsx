// Classifier hooks (external policies asked about each post) and, below,
// event webhooks. Secrets are write-only: shown once, in the answer that
// creates the hook.

import { useCallback, useState } from 'preact/hooks';

import { type Finding, type Hook, type HookParams, RULE_DIRECTIONS, admin } from '../api/admin';
import { Empty, Loading } from '../components/feedback';
import { type MessageKey, t } from '../i18n';
import type { Params } from '../router';
import { PERMISSIONS, useSession } from '../session';
import { Webhooks } from './Webhooks';
import { AdminError, AdminPage, FormFooter, SecretField, SecretNotice, actionError, guarded, useAnnouncer, useLoaded } from './common';

function emptyHook(): HookParams {
  return { name: '', url: '', direction: 'outbound', timeout_ms: 2000, retries: 1, fail_mode: 'open', enabled: true };
}

function HookForm({ hook, onSaved, onCancel }: { hook: Hook | null; onSaved: (h: Hook) => void; onCancel: () => void }) {
  const { client } = useSession();
  const [form, setForm] = useState<HookParams>(() => (hook ? { ...hook, secret: undefined } : emptyHook()));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `hook-${hook?.id ?? 'new'}`;
  const set = <K extends keyof HookParams>(key: K, value: HookParams[K]) => setForm({ ...form, [key]: value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const params: HookParams = {
      name: form.name.trim(),
      url: form.url.trim(),
      direction: form.direction,
      timeout_ms: form.timeout_ms,
      retries: form.retries,
      fail_mode: form.fail_mode,
      enabled: form.enabled,
      secret: form.secret?.trim() || undefined,
    };
    try {
      onSaved(hook ? await admin.hooks.update(client, hook.id, params) : await admin.hooks.create(client, params));
    } catch (e) {
      setError(actionError(e));
      setBusy(false);
    }
  };

  return (
    <form class="card admin-form" onSubmit={submit}>
      <div class="field">
        <label for={`${base}-name`}>{t('admin.rules.name')}</label>
        <input id={`${base}-name`} value={form.name} required onInput={(e) => set('name', e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${base}-url`}>{t('admin.hooks.url')}</label>
        <input id={`${base}-url`} type="url" value={form.url} required placeholder="https://classifier.internal/loggia" onInput={(e) => set('url', e.currentTarget.value)} />
      </div>
      <div class="field-row">
        <div class="field">
          <label for={`${base}-direction`}>{t('admin.rules.direction')}</label>
          <select id={`${base}-direction`} value={form.direction} onChange={(e) => set('direction', e.currentTarget.value as HookParams['direction'])}>
            {RULE_DIRECTIONS.map((d) => (
              <option key={d} value={d}>
                {t(`admin.rules.direction_${d}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${base}-timeout`}>{t('admin.hooks.timeout')}</label>
          <input id={`${base}-timeout`} type="number" min={1} max={10000} value={form.timeout_ms} onInput={(e) => set('timeout_ms', e.currentTarget.valueAsNumber || 0)} />
        </div>
        <div class="field">
          <label for={`${base}-retries`}>{t('admin.hooks.retries')}</label>
          <input id={`${base}-retries`} type="number" min={0} max={3} value={form.retries} onInput={(e) => set('retries', e.currentTarget.valueAsNumber || 0)} />
        </div>
      </div>
      <fieldset class="choices">
        <legend>{t('admin.hooks.fail_mode')}</legend>
        {(['open', 'closed'] as const).map((mode) => (
          <div key={mode} class="choice">
            <input type="radio" id={`${base}-fail-${mode}`} name={`${base}-fail`} checked={form.fail_mode === mode} onChange={() => set('fail_mode', mode)} />
            <label for={`${base}-fail-${mode}`}>{t(mode === 'open' ? 'admin.hooks.fail_open' : 'admin.hooks.fail_closed')}</label>
          </div>
        ))}
      </fieldset>
      <SecretField id={`${base}-secret`} value={form.secret} existing={!!hook} onInput={(value) => set('secret', value)} />
      <div class="check">
        <input id={`${base}-enabled`} type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        <label for={`${base}-enabled`}>{t('admin.hooks.enabled')}</label>
      </div>
      <FormFooter error={error} busy={busy} submitLabel={hook ? t('common.save') : t('admin.hooks.create')} onCancel={onCancel} />
    </form>
  );
}

function HookTest({ hook }: { hook: Hook }) {
  const { client } = useSession();
  const [text, setText] = useState('');
  const [finding, setFinding] = useState<Finding | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setFinding(await admin.hooks.test(client, hook.id, text));
    } catch (e) {
      setFinding(null);
      setError(actionError(e));
    } finally {
      setBusy(false);
    }
  };
  const id = `hook-${hook.id}-test`;
  return (
    <form class="inline-form" onSubmit={run}>
      <div class="field">
        <label for={id}>{t('admin.hooks.test_text')}</label>
        <input id={id} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <button type="submit" disabled={busy}>
        {t('admin.hooks.test')}
      </button>
      <div role="status" aria-live="polite" class="full-width">
        {finding && (
          <p class={`decision decision-${finding.verdict.verdict}`}>
            <strong>{t(`admin.test.outcome_${finding.verdict.verdict}` as MessageKey)}</strong>
            {'reason' in finding.verdict ? ` — ${finding.verdict.reason}` : ''}
            {finding.note ? <span class="muted"> ({finding.note})</span> : null}
          </p>
        )}
      </div>
      {error && (
        <p class="inline-error full-width" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function HookItem({ hook, onSaved, onDelete }: { hook: Hook; onSaved: (h: Hook) => void; onDelete: () => void }) {
  const [editing, setEditing] = useState(false);
  if (editing) return <HookForm hook={hook} onCancel={() => setEditing(false)} onSaved={(h) => { setEditing(false); onSaved(h); }} />;
  return (
    <div class="card admin-item">
      <div class="admin-item-head">
        <strong>{hook.name}</strong>
        <span class="badge">{hook.enabled ? t('admin.rules.on') : t('admin.rules.off')}</span>
      </div>
      <p class="url">{hook.url}</p>
      <p class="muted">
        {t(`admin.rules.direction_${hook.direction}` as MessageKey)} · {t('admin.hooks.summary', { timeout: hook.timeout_ms, retries: hook.retries })} ·{' '}
        {t(hook.fail_mode === 'open' ? 'admin.hooks.fails_open' : 'admin.hooks.fails_closed')}
      </p>
      <div class="actions-row">
        <button type="button" onClick={() => setEditing(true)} aria-label={t('admin.hooks.edit_label', { name: hook.name })}>
          {t('admin.edit')}
        </button>
        <button type="button" class="danger" onClick={onDelete} aria-label={t('admin.hooks.delete_label', { name: hook.name })}>
          {t('common.delete')}
        </button>
      </div>
      <details class="admin-details">
        <summary>{t('admin.hooks.test_heading')}</summary>
        <HookTest hook={hook} />
      </details>
    </div>
  );
}

function HookList() {
  const { client } = useSession();
  const load = useCallback(guarded(() => admin.hooks.list(client)), [client]);
  const loaded = useLoaded(load);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [announcer, announce] = useAnnouncer();
  const hooks = loaded.data ?? [];

  const remove = async (hook: Hook) => {
    if (!confirm(t('admin.hooks.confirm_delete', { name: hook.name }))) return;
    try {
      await admin.hooks.remove(client, hook.id);
      loaded.setData(hooks.filter((h) => h.id !== hook.id));
      announce(t('admin.hooks.deleted', { name: hook.name }));
    } catch (e) {
      announce(actionError(e), true);
    }
  };

  if (loaded.error) return <AdminError error={loaded.error} retry={loaded.reload} />;
  return (
    <>
      {announcer}
      <SecretNotice secret={secret} onDone={() => setSecret(null)} />
      {creating ? (
        <HookForm
          hook={null}
          onCancel={() => setCreating(false)}
          onSaved={(hook) => {
            setCreating(false);
            setSecret(hook.secret ?? null);
            loaded.setData([...hooks, { ...hook, secret: undefined }]);
            announce(t('admin.hooks.created', { name: hook.name }));
          }}
        />
      ) : (
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          {t('admin.hooks.new')}
        </button>
      )}
      {loaded.loading && !loaded.data ? (
        <Loading />
      ) : hooks.length === 0 ? (
        <Empty text={t('admin.hooks.empty')} />
      ) : (
        hooks.map((hook) => (
          <HookItem
            key={hook.id}
            hook={hook}
            onDelete={() => void remove(hook)}
            onSaved={(saved) => {
              loaded.setData(hooks.map((h) => (h.id === saved.id ? saved : h)));
              announce(t('admin.hooks.saved', { name: saved.name }));
            }}
          />
        ))
      )}
    </>
  );
}

export function Hooks(_: { params: Params }) {
  return (
    <AdminPage title={t('admin.hooks.title')} permission={PERMISSIONS.manageSettings}>
      <section aria-labelledby="hooks-list">
        <h2 id="hooks-list">{t('admin.hooks.heading')}</h2>
        <p class="help">{t('admin.hooks.intro')}</p>
        <HookList />
      </section>
      <section aria-labelledby="webhooks-list">
        <h2 id="webhooks-list">{t('admin.webhooks.heading')}</h2>
        <p class="help">{t('admin.webhooks.intro')}</p>
        <Webhooks />
      </section>
    </AdminPage>
  );
}
