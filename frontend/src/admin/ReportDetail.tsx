// One report: who reported whom and why, the posts it names, its handling
// (assign, resolve, reopen, category), an action against the reported
// account, and the moderators' notes.

import { useCallback, useState } from 'preact/hooks';

import { type AdminAccount, type AdminReport, REPORT_CATEGORIES, type ReportChange, admin } from '../api/admin';
import { AccountLine } from '../components/account';
import { Loading } from '../components/feedback';
import { RelativeTime } from '../components/time';
import { type MessageKey, t } from '../i18n';
import { Link, type Params } from '../router';
import { PERMISSIONS, useSession } from '../session';
import { PostPreview } from './PostPreview';
import { ReportAccountAction, ReportNotes } from './ReportExtras';
import { AdminError, AdminPage, actionError, guarded, useAnnouncer, useLoaded } from './common';

export function categoryLabel(category: string): string {
  return (REPORT_CATEGORIES as readonly string[]).includes(category)
    ? t(`admin.reports.category_${category}` as MessageKey)
    : category;
}

/** The moderation state of an account, in words (never colour alone). */
export function AccountFlags({ account }: { account: AdminAccount }) {
  const flags: MessageKey[] = [];
  if (!account.domain && !account.approved) flags.push('admin.accounts.flag_pending');
  if (account.disabled) flags.push('admin.accounts.flag_disabled');
  if (account.silenced) flags.push('admin.accounts.flag_silenced');
  if (account.suspended) flags.push('admin.accounts.flag_suspended');
  if (account.sensitized) flags.push('admin.accounts.flag_sensitive');
  if (flags.length === 0) return null;
  return (
    <span class="flags">
      {flags.map((f) => (
        <span key={f} class="badge badge-warn">
          {t(f)}
        </span>
      ))}
    </span>
  );
}

const CHANGE_DONE: Record<ReportChange, MessageKey> = {
  assign_to_self: 'admin.reports.done_assigned',
  unassign: 'admin.reports.done_unassigned',
  resolve: 'admin.reports.done_resolved',
  reopen: 'admin.reports.done_reopened',
};

function Handling({ report, onChange, announce }: { report: AdminReport; onChange: (r: AdminReport) => void; announce: (m: string, e?: boolean) => void }) {
  const { client, me } = useSession();
  const [busy, setBusy] = useState(false);
  const [category, setCategory] = useState(report.category);
  const run = async (call: () => Promise<AdminReport>, done: string) => {
    setBusy(true);
    try {
      onChange(await call());
      announce(done);
    } catch (e) {
      announce(actionError(e), true);
    } finally {
      setBusy(false);
    }
  };
  const change = (c: ReportChange) => void run(() => admin.reports.change(client, report.id, c), t(CHANGE_DONE[c]));
  const mine = report.assigned_account?.id === me.id;
  return (
    <div class="card">
      <div class="actions-row">
        {!mine && (
          <button type="button" disabled={busy} onClick={() => change('assign_to_self')}>
            {t('admin.reports.assign')}
          </button>
        )}
        {report.assigned_account && (
          <button type="button" disabled={busy} onClick={() => change('unassign')}>
            {t('admin.reports.unassign')}
          </button>
        )}
        {report.action_taken ? (
          <button type="button" disabled={busy} onClick={() => change('reopen')}>
            {t('admin.reports.reopen')}
          </button>
        ) : (
          <button type="button" class="primary" disabled={busy} onClick={() => change('resolve')}>
            {t('admin.reports.resolve')}
          </button>
        )}
      </div>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => admin.reports.categorize(client, report.id, category), t('admin.reports.done_category'));
        }}
      >
        <div class="field">
          <label for="report-category">{t('admin.reports.category')}</label>
          <select id="report-category" value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
            {REPORT_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {categoryLabel(c)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy || category === report.category}>
          {t('admin.reports.change_category')}
        </button>
      </form>
    </div>
  );
}

export function ReportDetail({ params }: { params: Params }) {
  const { client } = useSession();
  const load = useCallback(guarded(() => admin.reports.get(client, params.id)), [client, params.id]);
  const loaded = useLoaded(load);
  const [announcer, announce] = useAnnouncer();
  const report = loaded.data;
  return (
    <AdminPage title={t('admin.reports.detail_title', { id: params.id })} permission={PERMISSIONS.manageReports}>
      <p>
        <Link href="/web/admin/reports">{t('admin.reports.back')}</Link>
      </p>
      {loaded.error ? (
        <AdminError error={loaded.error} retry={loaded.reload} />
      ) : !report ? (
        <Loading />
      ) : (
        <>
          {announcer}
          <section class="card" aria-labelledby="report-about">
            <h2 id="report-about">{t('admin.reports.about')}</h2>
            <dl class="facts">
              <dt>{t('admin.reports.target')}</dt>
              <dd>
                <AccountLine account={report.target_account.account} size={32} /> <AccountFlags account={report.target_account} />
              </dd>
              <dt>{t('admin.reports.reporter')}</dt>
              <dd>
                <AccountLine account={report.account.account} size={32} />
              </dd>
              <dt>{t('admin.reports.category')}</dt>
              <dd>{categoryLabel(report.category)}</dd>
              <dt>{t('admin.reports.filed')}</dt>
              <dd>
                <RelativeTime iso={report.created_at} />
                {report.forwarded && ` · ${t('admin.reports.forwarded')}`}
              </dd>
              <dt>{t('admin.reports.state')}</dt>
              <dd>
                {report.action_taken && report.action_taken_at ? (
                  <>
                    {t('admin.reports.resolved_by', { acct: report.action_taken_by_account?.account.acct ?? '—' })}{' '}
                    <RelativeTime iso={report.action_taken_at} />
                  </>
                ) : (
                  t('admin.reports.tab_open')
                )}
                {' · '}
                {report.assigned_account
                  ? t('admin.reports.assigned_to', { acct: report.assigned_account.account.acct })
                  : t('admin.reports.unassigned')}
              </dd>
            </dl>
            <h3>{t('admin.reports.comment')}</h3>
            <p class="report-comment">{report.comment || t('admin.reports.no_comment')}</p>
          </section>
          <Handling report={report} onChange={loaded.setData} announce={announce} />
          <section aria-labelledby="report-posts">
            <h2 id="report-posts">{t('admin.reports.posts_heading')}</h2>
            {report.statuses.length === 0 ? (
              <p class="muted">{t('admin.reports.no_posts')}</p>
            ) : (
              report.statuses.map((s) => (
                <div key={s.id} class="card">
                  <PostPreview status={s} />
                </div>
              ))
            )}
          </section>
          <ReportAccountAction report={report} announce={announce} onDone={loaded.reload} />
          <ReportNotes reportId={report.id} />
        </>
      )}
    </AdminPage>
  );
}
