// Domain blocks (Mastodon's /api/v1/admin/domain_blocks): a form to block a
// server and the list of blocks, each editable in place. Suspending and
// unblocking ask first: both cut or restore federation at once.

import { useCallback, useState } from 'preact/hooks';

import { BLOCK_SEVERITIES, type BlockSeverity, type DomainBlock, type DomainBlockParams, admin } from '../api/admin';
import type { Query } from '../api/client';
import { PagedList } from '../components/PagedList';
import { RelativeTime } from '../components/time';
import { type MessageKey, t } from '../i18n';
import { useSession } from '../session';
import { actionError, guarded, idOf, useAnnouncer } from './common';
import { blockNeedsConfirm, blockToForm, emptyBlockForm } from './forms';

const SEVERITY: Record<BlockSeverity, [MessageKey, MessageKey]> = {
  suspend: ['admin.blocks.severity_suspend', 'admin.blocks.severity_suspend_text'],
  silence: ['admin.blocks.severity_silence', 'admin.blocks.severity_silence_text'],
  noop: ['admin.blocks.severity_noop', 'admin.blocks.severity_noop_text'],
};

interface BlockFormProps {
  /** Null for a new block. */
  block: DomainBlock | null;
  onSaved: (block: DomainBlock) => void;
  onCancel?: () => void;
}

function BlockForm({ block, onSaved, onCancel }: BlockFormProps) {
  const { client } = useSession();
  const [form, setForm] = useState<DomainBlockParams>(() => (block ? blockToForm(block) : emptyBlockForm()));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `block-${block?.id ?? 'new'}`;
  const set = <K extends keyof DomainBlockParams>(key: K, value: DomainBlockParams[K]) => setForm({ ...form, [key]: value });

  const submit = async (event: Event) => {
    event.preventDefault();
    const domain = form.domain.trim();
    if (!domain) return;
    if (blockNeedsConfirm(form, block) && !confirm(t('admin.blocks.confirm_suspend', { domain }))) return;
    setBusy(true);
    setError(null);
    try {
      const { domain: _, ...settings } = form;
      const saved = block
        ? await admin.domainBlocks.update(client, block.id, settings)
        : await admin.domainBlocks.create(client, { ...form, domain });
      if (!block) setForm(emptyBlockForm());
      onSaved(saved);
    } catch (e) {
      setError(actionError(e));
    } finally {
      setBusy(false);
    }
  };

  const check = (key: 'reject_media' | 'reject_reports' | 'obfuscate', label: MessageKey) => (
    <div class="check">
      <input id={`${base}-${key}`} type="checkbox" checked={form[key]} onChange={(e) => set(key, e.currentTarget.checked)} />
      <label for={`${base}-${key}`}>{t(label)}</label>
    </div>
  );

  return (
    <form class="card admin-form" onSubmit={submit}>
      <div class="field">
        <label for={`${base}-domain`}>{t('admin.blocks.domain')}</label>
        <input
          id={`${base}-domain`}
          value={form.domain}
          required
          readOnly={!!block}
          placeholder="spam.example"
          aria-describedby={`${base}-domain-help`}
          onInput={(e) => set('domain', e.currentTarget.value)}
        />
        <p id={`${base}-domain-help`} class="help">
          {t('admin.blocks.domain_help')}
        </p>
      </div>
      <div class="field">
        <label for={`${base}-severity`}>{t('admin.blocks.severity')}</label>
        <select
          id={`${base}-severity`}
          value={form.severity}
          aria-describedby={`${base}-severity-help`}
          onChange={(e) => set('severity', e.currentTarget.value as BlockSeverity)}
        >
          {BLOCK_SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {t(SEVERITY[s][0])}
            </option>
          ))}
        </select>
        <p id={`${base}-severity-help`} class="help">
          {t(SEVERITY[form.severity][1])}
        </p>
      </div>
      {check('reject_media', 'admin.blocks.reject_media')}
      {check('reject_reports', 'admin.blocks.reject_reports')}
      {check('obfuscate', 'admin.blocks.obfuscate')}
      <div class="field">
        <label for={`${base}-private`}>{t('admin.blocks.private_comment')}</label>
        <input id={`${base}-private`} value={form.private_comment} onInput={(e) => set('private_comment', e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${base}-public`}>{t('admin.blocks.public_comment')}</label>
        <input id={`${base}-public`} value={form.public_comment} onInput={(e) => set('public_comment', e.currentTarget.value)} />
      </div>
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions-row">
        <button type="submit" class="primary" disabled={busy || !form.domain.trim()}>
          {block ? t('common.save') : t('admin.blocks.add')}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

function BlockItem({ block, onChange, onRemove, announce }: {
  block: DomainBlock;
  onChange: (b: DomainBlock) => void;
  onRemove: () => void;
  announce: (message: string, isError?: boolean) => void;
}) {
  const { client } = useSession();
  const [editing, setEditing] = useState(false);
  const unblock = async () => {
    if (!confirm(t('admin.blocks.confirm_unblock', { domain: block.domain }))) return;
    try {
      await admin.domainBlocks.remove(client, block.id);
      onRemove();
      announce(t('admin.blocks.unblocked', { domain: block.domain }));
    } catch (e) {
      announce(actionError(e), true);
    }
  };
  if (editing) {
    return (
      <BlockForm
        block={block}
        onCancel={() => setEditing(false)}
        onSaved={(saved) => {
          setEditing(false);
          onChange(saved);
          announce(t('admin.blocks.saved', { domain: saved.domain }));
        }}
      />
    );
  }
  const options = [
    block.reject_media && t('admin.blocks.reject_media'),
    block.reject_reports && t('admin.blocks.reject_reports'),
    block.obfuscate && t('admin.blocks.obfuscate'),
  ].filter(Boolean);
  return (
    <article class="card admin-item" aria-label={block.domain}>
      <div class="admin-item-head">
        <strong class="domain">{block.domain}</strong>
        <span class={`badge severity-${block.severity}`}>{t(SEVERITY[block.severity][0])}</span>
      </div>
      {options.length > 0 && <p class="muted">{options.join(' · ')}</p>}
      {block.private_comment && <p>{t('admin.blocks.private_comment_is', { text: block.private_comment })}</p>}
      {block.public_comment && <p>{t('admin.blocks.public_comment_is', { text: block.public_comment })}</p>}
      <p class="muted">
        {t('admin.blocks.since')} <RelativeTime iso={block.created_at} />
      </p>
      <div class="actions-row">
        <button type="button" onClick={() => setEditing(true)} aria-label={t('admin.blocks.edit_label', { domain: block.domain })}>
          {t('admin.edit')}
        </button>
        <button type="button" class="danger" onClick={() => void unblock()} aria-label={t('admin.blocks.unblock_label', { domain: block.domain })}>
          {t('admin.blocks.unblock')}
        </button>
      </div>
    </article>
  );
}

export function DomainBlocks() {
  const { client } = useSession();
  const [generation, setGeneration] = useState(0);
  const [announcer, announce] = useAnnouncer();
  const load = useCallback(guarded((q: Query) => admin.domainBlocks.list(client, { limit: 100, ...q })), [client]);
  return (
    <>
      <details class="admin-details">
        <summary>{t('admin.blocks.new')}</summary>
        <BlockForm
          block={null}
          onSaved={(block) => {
            setGeneration((n) => n + 1);
            announce(t('admin.blocks.blocked', { domain: block.domain }));
          }}
        />
      </details>
      {announcer}
      <PagedList<DomainBlock>
        key={generation}
        label={t('admin.federation.blocks_heading')}
        load={load}
        keyOf={idOf}
        empty={t('admin.blocks.empty')}
        render={(block, controls) => (
          <BlockItem block={block} onChange={controls.replace} onRemove={controls.remove} announce={announce} />
        )}
      />
    </>
  );
}
