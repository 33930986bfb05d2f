// The organisation mode: who may publish outside the company without a
// reviewer — a default, overridden per role and per team (the most
// specific wins: team, then role, then the default).

import { useCallback, useEffect, useState } from 'preact/hooks';

import { type OrgMode, ROLE_NAMES, admin } from '../api/admin';
import { Loading } from '../components/feedback';
import { type MessageKey, t } from '../i18n';
import { useSession } from '../session';
import { AdminError, actionError, useAnnouncer, useLoaded } from './common';
import { type OrganisationForm, formToOrganisation, organisationToForm } from './forms';

const MODES: readonly OrgMode[] = ['decentralized', 'centralized'];

function ModeSelect({ id, value, onPick, inherit }: { id: string; value: OrgMode | ''; onPick: (v: OrgMode | '') => void; inherit?: boolean }) {
  return (
    <select id={id} value={value} onChange={(e) => onPick(e.currentTarget.value as OrgMode | '')}>
      {inherit && <option value="">{t('admin.org.inherit')}</option>}
      {MODES.map((m) => (
        <option key={m} value={m}>
          {t(`admin.org.${m}` as MessageKey)}
        </option>
      ))}
    </select>
  );
}

export function Organisation() {
  const { client } = useSession();
  const load = useCallback(() => admin.organisation.get(client), [client]);
  const loaded = useLoaded(load);
  const [form, setForm] = useState<OrganisationForm | null>(null);
  const [busy, setBusy] = useState(false);
  const [announcer, announce] = useAnnouncer();
  useEffect(() => {
    if (loaded.data) setForm(organisationToForm(loaded.data));
  }, [loaded.data]);

  if (loaded.loading && !form) return <Loading />;
  if (loaded.error) return <AdminError error={loaded.error} retry={loaded.reload} />;
  if (!form) return <Loading />;

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      loaded.setData(await admin.organisation.set(client, formToOrganisation(form)));
      announce(t('admin.org.saved'));
    } catch (e) {
      announce(actionError(e), true);
    } finally {
      setBusy(false);
    }
  };
  const setTeam = (index: number, change: Partial<OrganisationForm['teams'][number]>) =>
    setForm({ ...form, teams: form.teams.map((team, i) => (i === index ? { ...team, ...change } : team)) });

  return (
    <form class="card admin-form" onSubmit={save}>
      <p class="help">{t('admin.org.intro')}</p>
      <div class="field">
        <label for="org-default">{t('admin.org.default')}</label>
        <ModeSelect id="org-default" value={form.default} onPick={(v) => setForm({ ...form, default: v || 'decentralized' })} />
      </div>
      <fieldset class="choices">
        <legend>{t('admin.org.roles')}</legend>
        {ROLE_NAMES.map((role) => (
          <div key={role} class="field field-inline">
            <label for={`org-role-${role}`}>{t(`admin.role.${role}` as MessageKey)}</label>
            <ModeSelect id={`org-role-${role}`} inherit value={form.roles[role] ?? ''} onPick={(v) => setForm({ ...form, roles: { ...form.roles, [role]: v } })} />
          </div>
        ))}
      </fieldset>
      <fieldset class="choices">
        <legend>{t('admin.org.teams')}</legend>
        {form.teams.length === 0 && <p class="muted">{t('admin.org.no_teams')}</p>}
        {form.teams.map((team, i) => (
          <div key={i} class="field-row">
            <div class="field">
              <label for={`org-team-${i}`}>{t('admin.org.team_name')}</label>
              <input id={`org-team-${i}`} value={team.name} maxLength={100} onInput={(e) => setTeam(i, { name: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label for={`org-team-${i}-mode`}>{t('admin.org.team_mode')}</label>
              <ModeSelect id={`org-team-${i}-mode`} value={team.mode} onPick={(v) => setTeam(i, { mode: v || 'decentralized' })} />
            </div>
            <button
              type="button"
              class="danger align-end"
              aria-label={t('admin.org.remove_team', { team: team.name || String(i + 1) })}
              onClick={() => setForm({ ...form, teams: form.teams.filter((_, j) => j !== i) })}
            >
              {t('admin.remove')}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setForm({ ...form, teams: [...form.teams, { name: '', mode: 'decentralized' }] })}>
          {t('admin.org.add_team')}
        </button>
      </fieldset>
      <div class="check">
        <input id="org-preview" type="checkbox" checked={form.company_preview} onChange={(e) => setForm({ ...form, company_preview: e.currentTarget.checked })} />
        <label for="org-preview">{t('admin.org.company_preview')}</label>
      </div>
      <button type="submit" class="primary" disabled={busy}>
        {t('admin.org.save')}
      </button>
      {announcer}
    </form>
  );
}
