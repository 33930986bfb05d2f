// Federation: which servers Loggia talks to (the mode), the domain blocks
// that refine it and, for allowlist mode, the partner servers.

import { useCallback, useEffect, useState } from 'preact/hooks';

import { FEDERATION_MODES, type FederationMode, admin } from '../api/admin';
import { Loading } from '../components/feedback';
import { type MessageKey, t } from '../i18n';
import type { Params } from '../router';
import { PERMISSIONS, useSession } from '../session';
import { DomainAllows } from './DomainAllows';
import { DomainBlocks } from './DomainBlocks';
import { AdminError, AdminPage, actionError, useAnnouncer, useLoaded } from './common';

const MODE_TEXT: Record<FederationMode, [MessageKey, MessageKey]> = {
  open: ['admin.federation.mode_open', 'admin.federation.mode_open_text'],
  blocklist: ['admin.federation.mode_blocklist', 'admin.federation.mode_blocklist_text'],
  allowlist: ['admin.federation.mode_allowlist', 'admin.federation.mode_allowlist_text'],
};

function ModeSection({ onMode }: { onMode: (mode: FederationMode) => void }) {
  const { client } = useSession();
  const load = useCallback(() => admin.federation.get(client), [client]);
  const loaded = useLoaded(load);
  const [choice, setChoice] = useState<FederationMode | null>(null);
  const [busy, setBusy] = useState(false);
  const [announcer, announce] = useAnnouncer();
  const current = loaded.data?.mode ?? null;
  useEffect(() => {
    if (current) onMode(current);
  }, [current, onMode]);

  if (loaded.loading) return <Loading />;
  if (loaded.error || !current) return <AdminError error={loaded.error} retry={loaded.reload} />;
  const selected = choice ?? current;

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const saved = await admin.federation.set(client, selected);
      loaded.setData(saved);
      setChoice(null);
      announce(t('admin.federation.mode_saved', { mode: t(MODE_TEXT[saved.mode][0]) }));
    } catch (e) {
      announce(actionError(e), true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} class="card">
      <fieldset class="choices">
        <legend>{t('admin.federation.mode_legend')}</legend>
        {FEDERATION_MODES.map((mode) => (
          <div key={mode} class="choice">
            <input
              type="radio"
              id={`fed-mode-${mode}`}
              name="federation-mode"
              value={mode}
              checked={selected === mode}
              aria-describedby={`fed-mode-${mode}-text`}
              onChange={() => setChoice(mode)}
            />
            <label for={`fed-mode-${mode}`}>
              {t(MODE_TEXT[mode][0])}
              {mode === current && <span class="muted"> {t('admin.federation.mode_current')}</span>}
            </label>
            <p id={`fed-mode-${mode}-text`} class="help">
              {t(MODE_TEXT[mode][1])}
            </p>
          </div>
        ))}
      </fieldset>
      <p class="help">{t('admin.federation.mode_public_endpoints')}</p>
      <button type="submit" class="primary" disabled={busy || selected === current}>
        {t('admin.federation.mode_save')}
      </button>
      {announcer}
    </form>
  );
}

export function Federation(_: { params: Params }) {
  const [mode, setMode] = useState<FederationMode | null>(null);
  return (
    <AdminPage title={t('admin.federation.title')} permission={PERMISSIONS.manageFederation}>
      <section aria-labelledby="fed-mode">
        <h2 id="fed-mode">{t('admin.federation.mode_heading')}</h2>
        <ModeSection onMode={setMode} />
      </section>
      <section aria-labelledby="fed-blocks">
        <h2 id="fed-blocks">{t('admin.federation.blocks_heading')}</h2>
        {mode === 'open' && <p class="notice">{t('admin.federation.blocks_unused')}</p>}
        <DomainBlocks />
      </section>
      <section aria-labelledby="fed-allows">
        <h2 id="fed-allows">{t('admin.federation.allows_heading')}</h2>
        {mode !== 'allowlist' && <p class="help">{t('admin.federation.allows_unused')}</p>}
        <DomainAllows />
      </section>
    </AdminPage>
  );
}
