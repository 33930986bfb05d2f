// Every page of the app and the path it lives at. Paths under /web/ belong
// to the app; the server renders /@user and /@user/ID itself for visitors.

import type { ComponentType } from 'preact';

import { MenuPage } from './components/Layout';
import { lazyPage } from './components/lazy';
import { ComposePage } from './pages/ComposePage';
import { FollowRequests, Followers, Following } from './pages/Follows';
import { Notifications } from './pages/Notifications';
import { Profile } from './pages/Profile';
import { Bookmarks, Favourites } from './pages/Saved';
import { Search } from './pages/Search';
import { Settings } from './pages/Settings';
import { TagTimeline } from './pages/Tag';
import { EditStatus, Thread } from './pages/Thread';
import { Timeline } from './pages/Timeline';
import { type Params, matchPath } from './router';

export type PageComponent = ComponentType<{ params: Params }>;

const admin = () => import('./admin');
const AdminHome = lazyPage(admin, (m) => m.AdminHome);
const Reviews = lazyPage(admin, (m) => m.Reviews);
const Federation = lazyPage(admin, (m) => m.Federation);
const Rules = lazyPage(admin, (m) => m.Rules);
const Hooks = lazyPage(admin, (m) => m.Hooks);
const Reports = lazyPage(admin, (m) => m.Reports);
const ReportDetail = lazyPage(admin, (m) => m.ReportDetail);
const Accounts = lazyPage(admin, (m) => m.Accounts);
const AuditLog = lazyPage(admin, (m) => m.AuditLog);

export const ROUTES: [string, PageComponent][] = [
  ['/', () => <Timeline kind="home" />],
  ['/web', () => <Timeline kind="home" />],
  ['/web/home', () => <Timeline kind="home" />],
  ['/web/local', () => <Timeline kind="local" />],
  ['/web/federated', () => <Timeline kind="federated" />],
  ['/web/tags/:tag', TagTimeline],
  ['/web/statuses/:id', Thread],
  ['/web/statuses/:id/edit', EditStatus],
  ['/web/compose', ComposePage],
  ['/web/bookmarks', Bookmarks],
  ['/web/favourites', Favourites],
  ['/web/notifications', Notifications],
  ['/web/search', Search],
  ['/web/settings', Settings],
  ['/web/follow_requests', FollowRequests],
  ['/web/@:acct', Profile],
  ['/web/@:acct/followers', Followers],
  ['/web/@:acct/following', Following],
  ['/web/menu', MenuPage],
  ['/web/admin', AdminHome],
  ['/web/admin/reviews', Reviews],
  ['/web/admin/federation', Federation],
  ['/web/admin/rules', Rules],
  ['/web/admin/hooks', Hooks],
  ['/web/admin/reports', Reports],
  ['/web/admin/reports/:id', ReportDetail],
  ['/web/admin/accounts', Accounts],
  ['/web/admin/audit', AuditLog],
];

export function resolve(path: string): { page: PageComponent; params: Params } | null {
  for (const [pattern, page] of ROUTES) {
    const params = matchPath(pattern, path);
    if (params) return { page, params };
  }
  return null;
}
