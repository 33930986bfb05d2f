// The frame of every signed-in page: a skip link, the navigation (a sidebar
// on desktop, a bar at the bottom on a phone) and the page itself.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { type MessageKey, t } from '../i18n';
import { Icon, type IconName } from './icons';
import { Link, profilePath, useLocation } from '../router';
import { PERMISSIONS, can, useSession } from '../session';
import { announceTitle, setSpeaker } from '../page-change';

interface NavItem {
  href: string;
  label: MessageKey;
  icon: IconName;
  /** Shown in the phone's bottom bar too. */
  primary?: boolean;
  /** Only in the phone's bottom bar (the sidebar lists everything). */
  phoneOnly?: boolean;
}

/** Every destination the signed-in user may go to, in menu order. */
export function useNavItems(): NavItem[] {
  const session = useSession();
  const staff = [
    PERMISSIONS.reviewPosts,
    PERMISSIONS.manageReports,
    PERMISSIONS.manageFederation,
    PERMISSIONS.manageUsers,
    PERMISSIONS.manageSettings,
    PERMISSIONS.viewAuditLog,
  ].some((permission) => can(session, permission));
  const items: NavItem[] = [
    { href: '/web/home', label: 'common.nav_home', icon: 'home', primary: true },
    { href: '/web/local', label: 'common.nav_local', icon: 'company', primary: true },
    { href: '/web/federated', label: 'common.nav_federated', icon: 'globe' },
    { href: '/web/notifications', label: 'common.nav_notifications', icon: 'bell', primary: true },
    { href: '/web/search', label: 'common.nav_search', icon: 'search', primary: true },
    { href: '/web/bookmarks', label: 'common.nav_bookmarks', icon: 'bookmark' },
    { href: '/web/favourites', label: 'common.nav_favourites', icon: 'star' },
    { href: profilePath(session.me.acct), label: 'common.nav_profile', icon: 'person' },
    { href: '/web/settings', label: 'common.nav_settings', icon: 'settings' },
  ];
  if (staff) items.push({ href: '/web/admin', label: 'common.nav_admin', icon: 'shield' });
  // Phones show the first four in a bottom bar; the rest are one tap away.
  items.push({ href: '/web/menu', label: 'common.nav_menu', icon: 'menu', primary: true, phoneOnly: true });
  return items;
}

export function Layout({ children }: { children: ComponentChildren }) {
  const session = useSession();
  const { path } = useLocation();
  const items = useNavItems();
  const [announcement, setAnnouncement] = useState('');
  const firstPath = useRef(true);

  // The live region speaks each new page's title (see page-change.ts);
  // emptied first so that the same title twice is spoken twice.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const remove = setSpeaker((text) => {
      setAnnouncement('');
      clearTimeout(timer);
      timer = setTimeout(() => setAnnouncement(text), 100);
    });
    return () => {
      remove();
      clearTimeout(timer);
    };
  }, []);

  // After moving to another page the keyboard starts at its content, as
  // after a page load; not on the first render, and not when the page has
  // already put the focus somewhere inside (the compose page's text box).
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    const main = document.getElementById('main');
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }, [path]);

  const active = (href: string) => path === href || (href !== '/web/home' && path.startsWith(`${href}/`)) || (href === '/web/home' && path === '/');
  return (
    <div class="layout">
      <a class="skip-link" href="#main">
        {t('common.skip_to_content')}
      </a>
      <header class="topbar">
        <Link href="/web/home" class="brand">
          {session.instance.title || t('common.app_name')}
        </Link>
        <button type="button" class="link sign-out" onClick={() => void session.signOut()}>
          {t('common.sign_out')}
        </button>
      </header>
      <nav class="sidebar" aria-label={t('common.nav')}>
        <ul>
          {items.map((item) => (
            <li key={item.href} class={[item.primary && 'primary', item.phoneOnly && 'phone-only'].filter(Boolean).join(' ')}>
              <Link href={item.href} aria-current={active(item.href) ? 'page' : undefined}>
                <Icon name={item.icon} />
                <span class="label">{t(item.label)}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <div class="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </div>
  );
}

/** A page heading that also names the document (for tabs and screen readers). */
export function PageTitle({ children }: { children: string }) {
  if (typeof document !== 'undefined') document.title = `${children} · Loggia`;
  useEffect(() => announceTitle(children), [children]);
  return <h1 class="page-title">{children}</h1>;
}

/** The whole menu, for phones (whose bottom bar has room for four). */
export function MenuPage() {
  const items = useNavItems().filter((item) => !item.phoneOnly);
  const session = useSession();
  return (
    <>
      <PageTitle>{t('common.nav_menu')}</PageTitle>
      <ul class="menu-page">
        {items.map((item) => (
          <li key={item.href}>
            <Link href={item.href}>
              <Icon name={item.icon} />
              <span>{t(item.label)}</span>
            </Link>
          </li>
        ))}
        <li>
          <button type="button" class="link" onClick={() => void session.signOut()}>
            {t('common.sign_out')}
          </button>
        </li>
      </ul>
    </>
  );
}
