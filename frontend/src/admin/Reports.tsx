// Reports filed by users (and received from other servers): the open ones
// or the resolved ones, newest first. The detail page is ReportDetail.tsx.

import { useCallback } from 'preact/hooks';

import { type AdminReport, admin } from '../api/admin';
import type { Query } from '../api/client';
import { PagedList } from '../components/PagedList';
import { RelativeTime } from '../components/time';
import { t, tn } from '../i18n';
import { Link, type Params, useLocation } from '../router';
import { PERMISSIONS, useSession } from '../session';
import { AdminPage, guarded, idOf } from './common';

import { categoryLabel } from './ReportDetail';

export { ReportDetail } from './ReportDetail';

function ReportCard({ report }: { report: AdminReport }) {
  return (
    <article class="card admin-item" aria-labelledby={`report-${report.id}`}>
      <div class="admin-item-head">
        <Link id={`report-${report.id}`} href={`/web/admin/reports/${encodeURIComponent(report.id)}`}>
          {t('admin.reports.card_title', { target: report.target_account.account.acct })}
        </Link>
        <span class="badge">{categoryLabel(report.category)}</span>
      </div>
      <p class="muted">
        {t('admin.reports.by', { acct: report.account.account.acct })} · <RelativeTime iso={report.created_at} />
        {report.statuses.length > 0 && ` · ${tn('admin.reports.posts', report.statuses.length)}`}
        {report.forwarded && ` · ${t('admin.reports.forwarded')}`}
      </p>
      {report.comment && <p class="report-comment">{report.comment}</p>}
      <p class="muted">
        {report.assigned_account
          ? t('admin.reports.assigned_to', { acct: report.assigned_account.account.acct })
          : t('admin.reports.unassigned')}
      </p>
    </article>
  );
}

export function Reports(_: { params: Params }) {
  const { client } = useSession();
  const { query } = useLocation();
  const resolved = query.get('resolved') === 'true';
  const load = useCallback(
    guarded((q: Query) => admin.reports.list(client, { limit: 20, resolved: resolved ? 'true' : undefined, ...q })),
    [client, resolved],
  );
  return (
    <AdminPage title={t('admin.reports.title')} permission={PERMISSIONS.manageReports}>
      <nav class="tabs" aria-label={t('admin.reports.filter')}>
        <Link href="/web/admin/reports" aria-current={resolved ? undefined : 'page'}>
          {t('admin.reports.tab_open')}
        </Link>
        <Link href="/web/admin/reports?resolved=true" aria-current={resolved ? 'page' : undefined}>
          {t('admin.reports.tab_resolved')}
        </Link>
      </nav>
      <PagedList<AdminReport>
        key={String(resolved)}
        label={t('admin.reports.title')}
        load={load}
        keyOf={idOf}
        empty={resolved ? t('admin.reports.empty_resolved') : t('admin.reports.empty_open')}
        render={(report) => <ReportCard report={report} />}
      />
    </AdminPage>
  );
}
