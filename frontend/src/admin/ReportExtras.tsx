// The parts of a report page below the report itself: an action against
// the reported account (recorded with the report's id) and the notes
// moderators leave each other.

import { useCallback, useState } from 'preact/hooks';

import { type AdminReport, type ReportNote, admin } from '../api/admin';
import { Loading } from '../components/feedback';
import { RelativeTime } from '../components/time';
import { displayName } from '../components/account';
import { type MessageKey, t } from '../i18n';
import { PERMISSIONS, can, useSession } from '../session';
import { AdminError, actionError, guarded, useAnnouncer, useLoaded } from './common';

type ReportAction = 'none' | 'silence' | 'suspend';
const ACTIONS: [ReportAction, MessageKey][] = [
  ['none', 'admin.reports.action_warn'],
  ['silence', 'admin.reports.action_silence'],
  ['suspend', 'admin.reports.action_suspend'],
];

export function ReportAccountAction({ report, announce, onDone }: { report: AdminReport; announce: (m: string, e?: boolean) => void; onDone: () => void }) {
  const session = useSession();
  const [type, setType] = useState<ReportAction>('none');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  // Account actions take the manage-users permission, not just manage-reports.
  if (!can(session, PERMISSIONS.manageUsers)) return null;
  const acct = report.target_account.account.acct;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (type === 'suspend' && !confirm(t('admin.accounts.confirm_suspend', { acct }))) return;
    setBusy(true);
    try {
      await admin.accounts.act(session.client, report.target_account.id, type, text.trim(), report.id);
      setText('');
      announce(t('admin.reports.action_done', { acct }));
      onDone();
    } catch (e) {
      announce(actionError(e), true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="report-action">
      <h2 id="report-action">{t('admin.reports.action_heading', { acct })}</h2>
      <form onSubmit={submit}>
        <fieldset class="choices">
          <legend>{t('admin.reports.action_legend')}</legend>
          {ACTIONS.map(([value, label]) => (
            <div key={value} class="choice">
              <input type="radio" id={`report-act-${value}`} name="report-action" checked={type === value} onChange={() => setType(value)} />
              <label for={`report-act-${value}`}>{t(label)}</label>
            </div>
          ))}
        </fieldset>
        <div class="field">
          <label for="report-act-text">{t('admin.reports.action_text')}</label>
          <textarea id="report-act-text" rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <button type="submit" class={type === 'none' ? '' : 'danger'} disabled={busy}>
          {t('admin.reports.action_submit')}
        </button>
      </form>
    </section>
  );
}

export function ReportNotes({ reportId }: { reportId: string }) {
  const { client, me, permissions } = useSession();
  const load = useCallback(guarded(() => admin.reports.notes(client, reportId)), [client, reportId]);
  const loaded = useLoaded(load);
  const [content, setContent] = useState('');
  const [busy, setBusy] = useState(false);
  const [announcer, announce] = useAnnouncer();
  const notes = loaded.data ?? [];
  const isAdmin = (permissions & PERMISSIONS.administrator) !== 0n;

  const add = async (event: Event) => {
    event.preventDefault();
    if (!content.trim()) return;
    setBusy(true);
    try {
      const note = await admin.reports.addNote(client, reportId, content.trim());
      loaded.setData([...notes, note]);
      setContent('');
      announce(t('admin.notes.added'));
    } catch (e) {
      announce(actionError(e), true);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (note: ReportNote) => {
    if (!confirm(t('admin.notes.confirm_delete'))) return;
    try {
      await admin.reports.removeNote(client, reportId, note.id);
      loaded.setData(notes.filter((n) => n.id !== note.id));
      announce(t('admin.notes.deleted'));
    } catch (e) {
      announce(actionError(e), true);
    }
  };

  return (
    <section class="card" aria-labelledby="report-notes">
      <h2 id="report-notes">{t('admin.notes.heading')}</h2>
      {loaded.error ? (
        <AdminError error={loaded.error} retry={loaded.reload} />
      ) : loaded.loading && !loaded.data ? (
        <Loading />
      ) : notes.length === 0 ? (
        <p class="muted">{t('admin.notes.empty')}</p>
      ) : (
        <ul class="notes">
          {notes.map((note) => (
            <li key={note.id}>
              <p class="muted">
                <bdi>{displayName(note.account)}</bdi> · <RelativeTime iso={note.created_at} />
              </p>
              <p class="note-content">{note.content}</p>
              {(note.account.id === me.id || isAdmin) && (
                <button type="button" class="link danger" onClick={() => void remove(note)}>
                  {t('admin.notes.delete')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {announcer}
      <form onSubmit={add}>
        <div class="field">
          <label for="report-note">{t('admin.notes.new')}</label>
          <textarea id="report-note" rows={3} maxLength={2000} value={content} onInput={(e) => setContent(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={busy || !content.trim()}>
          {t('admin.notes.add')}
        </button>
      </form>
    </section>
  );
}
