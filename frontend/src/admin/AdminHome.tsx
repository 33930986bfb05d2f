// The administration home: one card per page the viewer's role permits,
// with the number of posts waiting for review, open reports and sign-ups
// waiting for approval (one short request each, counted up to a page).

import { useEffect, useState } from 'preact/hooks';

import { admin } from '../api/admin';
import type { Client, Page } from '../api/client';
import { PageTitle } from '../components/Layout';
import { type MessageKey, t, tn } from '../i18n';
import { Link, type Params } from '../router';
import { PERMISSIONS, can, useSession } from '../session';
import { Forbidden } from './common';

const COUNT_LIMIT = 40;

interface Card {
  href: string;
  title: MessageKey;
  text: MessageKey;
  permission: bigint;
  /** A cheap count worth showing on the card. */
  count?: (client: Client) => Promise<Page<unknown>>;
  countKey?: string;
}

const CARDS: Card[] = [
  {
    href: '/web/admin/reviews',
    title: 'admin.reviews.title',
    text: 'admin.home.reviews_text',
    permission: PERMISSIONS.reviewPosts,
    count: (c) => admin.reviews.list(c, { limit: COUNT_LIMIT }),
    countKey: 'admin.home.pending_reviews',
  },
  {
    href: '/web/admin/reports',
    title: 'admin.reports.title',
    text: 'admin.home.reports_text',
    permission: PERMISSIONS.manageReports,
    count: (c) => admin.reports.list(c, { limit: COUNT_LIMIT }),
    countKey: 'admin.home.open_reports',
  },
  {
    href: '/web/admin/accounts',
    title: 'admin.accounts.title',
    text: 'admin.home.accounts_text',
    permission: PERMISSIONS.manageUsers,
    count: (c) => admin.accounts.list(c, { status: 'pending', limit: COUNT_LIMIT }),
    countKey: 'admin.home.pending_accounts',
  },
  { href: '/web/admin/federation', title: 'admin.federation.title', text: 'admin.home.federation_text', permission: PERMISSIONS.manageFederation },
  { href: '/web/admin/rules', title: 'admin.rules.title', text: 'admin.home.rules_text', permission: PERMISSIONS.manageSettings },
  { href: '/web/admin/hooks', title: 'admin.hooks.title', text: 'admin.home.hooks_text', permission: PERMISSIONS.manageSettings },
  { href: '/web/admin/audit', title: 'admin.audit.title', text: 'admin.home.audit_text', permission: PERMISSIONS.viewAuditLog },
];

function CardCount({ card }: { card: Card }) {
  const { client } = useSession();
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    card.count?.(client)
      .then((page) => {
        if (!live || !card.countKey) return;
        const more = page.items.length >= COUNT_LIMIT && page.links.next;
        setText(more ? t('admin.home.count_more', { count: COUNT_LIMIT }) : tn(card.countKey, page.items.length));
      })
      // The count is a hint; the page itself shows any error.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [card, client]);
  if (!text) return null;
  return <span class="admin-card-count">{text}</span>;
}

export function AdminHome(_: { params: Params }) {
  const session = useSession();
  const cards = CARDS.filter((card) => can(session, card.permission));
  return (
    <div class="admin-page">
      <PageTitle>{t('admin.home.title')}</PageTitle>
      {cards.length === 0 ? (
        <Forbidden />
      ) : (
        <ul class="admin-cards">
          {cards.map((card) => (
            <li key={card.href}>
              <Link href={card.href} class="admin-card">
                <span class="admin-card-title">{t(card.title)}</span>
                <span class="admin-card-text">{t(card.text)}</span>
                {card.count && <CardCount card={card} />}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
