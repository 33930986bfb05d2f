// One account in the admin list: who, in what state, and what a moderator
// can do — approve or reject a sign-up, limit or undo, and (for local
// users) change the role and team.

import { useState } from 'preact/hooks';

import { type AdminAccount, ROLE_NAMES, type RoleName, admin } from '../api/admin';
import { AccountLine } from '../components/account';
import { RelativeTime } from '../components/time';
import { type MessageKey, t } from '../i18n';
import { useSession } from '../session';
import { AccountFlags } from './ReportDetail';
import { actionError } from './common';
import { type AccountAction, accountActions, actionName, actionNeedsConfirm } from './forms';

export interface AccountRowProps {
  account: AdminAccount;
  onChange: (a: AdminAccount) => void;
  onRemove: () => void;
  announce: (message: string, isError?: boolean) => void;
}

export function AccountRow({ account, onChange, onRemove, announce }: AccountRowProps) {
  const { client } = useSession();
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState('');
  const [role, setRole] = useState<string>(account.role?.name ?? 'user');
  const [team, setTeam] = useState(account.loggia_team ?? '');
  const acct = account.account.acct;
  const local = !account.domain;
  const base = `acc-${account.id}`;

  const run = async (action: AccountAction) => {
    const name = actionName(action);
    if (actionNeedsConfirm(action) && !confirm(t(`admin.accounts.confirm_${name}` as MessageKey, { acct }))) return;
    setBusy(true);
    try {
      switch (action.kind) {
        case 'approve':
          onChange(await admin.accounts.approve(client, account.id));
          break;
        case 'reject':
          await admin.accounts.reject(client, account.id);
          onRemove();
          break;
        case 'undo':
          onChange(await admin.accounts.undo(client, account.id, action.undo));
          break;
        case 'act':
          await admin.accounts.act(client, account.id, action.type, reason.trim());
          setReason('');
          // The action answers {}: read the account again for its new state.
          onChange(await admin.accounts.get(client, account.id));
          break;
      }
      announce(t(`admin.accounts.done_${name}` as MessageKey, { acct }));
    } catch (e) {
      announce(actionError(e), true);
    } finally {
      setBusy(false);
    }
  };

  const saveStaff = async (event: Event) => {
    event.preventDefault();
    const changes: { role?: RoleName; team?: string } = {};
    if (role !== (account.role?.name ?? 'user')) changes.role = role as RoleName;
    if (team.trim() !== (account.loggia_team ?? '')) changes.team = team.trim();
    if (!changes.role && changes.team === undefined) return;
    setBusy(true);
    try {
      onChange(await admin.accounts.update(client, account.id, changes));
      announce(t('admin.accounts.done_staff', { acct }));
    } catch (e) {
      announce(actionError(e), true);
    } finally {
      setBusy(false);
    }
  };

  const actions = accountActions(account);
  return (
    <article class="card admin-item" aria-label={acct}>
      <div class="admin-item-head">
        <AccountLine account={account.account} size={36} />
        <AccountFlags account={account} />
      </div>
      <p class="muted">
        {local && account.email && <span>{account.email} · </span>}
        {local && account.role && <span>{t(`admin.role.${account.role.name}` as MessageKey)} · </span>}
        {account.loggia_team && <span>{t('admin.accounts.team_is', { team: account.loggia_team })} · </span>}
        {t('admin.accounts.joined')} <RelativeTime iso={account.created_at} />
      </p>
      {account.invite_request && <p class="report-comment">{t('admin.accounts.invite_request', { text: account.invite_request })}</p>}
      <details class="admin-details">
        <summary>{t('admin.accounts.moderate', { acct })}</summary>
        <div class="field">
          <label for={`${base}-reason`}>{t('admin.accounts.reason')}</label>
          <input id={`${base}-reason`} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </div>
        <div class="actions-row">
          {actions.map((action) => {
            const name = actionName(action);
            const danger = action.kind === 'reject' || (action.kind === 'act' && action.type !== 'sensitive');
            return (
              <button key={name} type="button" class={danger ? 'danger' : ''} disabled={busy} onClick={() => void run(action)}>
                {t(`admin.accounts.action_${name}` as MessageKey)}
              </button>
            );
          })}
        </div>
        {local && (
          <form class="inline-form" onSubmit={saveStaff}>
            <div class="field">
              <label for={`${base}-role`}>{t('admin.accounts.role')}</label>
              <select id={`${base}-role`} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
                {ROLE_NAMES.map((r) => (
                  <option key={r} value={r}>
                    {t(`admin.role.${r}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={`${base}-team`}>{t('admin.accounts.team')}</label>
              <input id={`${base}-team`} value={team} maxLength={100} onInput={(e) => setTeam(e.currentTarget.value)} />
            </div>
            <button type="submit" disabled={busy}>
              {t('admin.accounts.save_staff')}
            </button>
          </form>
        )}
      </details>
    </article>
  );
}
