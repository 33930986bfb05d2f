// Typed calls for the administration pages: Mastodon's admin API
// (`/api/v1/admin/*`, `/api/v2/admin/accounts`) and Loggia's additive
// `/api/v1/loggia/admin/*` endpoints (docs/api-compatibility.md), with the
// entities as the server sends them. Form logic lives in admin/forms.ts.

import type { Client, Page, Query } from './client';
import type { Account, Role, Status } from './types';

// ── Federation ──────────────────────────────────────────────────────────

export type FederationMode = 'open' | 'blocklist' | 'allowlist';
export const FEDERATION_MODES: readonly FederationMode[] = ['open', 'blocklist', 'allowlist'];

export type BlockSeverity = 'silence' | 'suspend' | 'noop';
export const BLOCK_SEVERITIES: readonly BlockSeverity[] = ['suspend', 'silence', 'noop'];

/** Mastodon's `Admin::DomainBlock`. */
export interface DomainBlock {
  id: string;
  domain: string;
  digest: string;
  created_at: string;
  severity: BlockSeverity;
  reject_media: boolean;
  reject_reports: boolean;
  private_comment: string | null;
  public_comment: string | null;
  obfuscate: boolean;
}

export interface DomainBlockParams {
  domain: string;
  severity: BlockSeverity;
  reject_media: boolean;
  reject_reports: boolean;
  private_comment: string;
  public_comment: string;
  obfuscate: boolean;
}

/** Mastodon's `Admin::DomainAllow`. */
export interface DomainAllow {
  id: string;
  domain: string;
  created_at: string;
}

// ── Rules and organisation mode ─────────────────────────────────────────

export type RuleDirection = 'inbound' | 'outbound' | 'both';
export const RULE_DIRECTIONS: readonly RuleDirection[] = ['outbound', 'inbound', 'both'];

export type MatchKind = 'keyword' | 'regex' | 'hashtag' | 'link_domain' | 'mention_count' | 'secret' | 'media' | 'any';
export const MATCH_KINDS: readonly MatchKind[] = [
  'keyword',
  'regex',
  'hashtag',
  'link_domain',
  'mention_count',
  'secret',
  'media',
  'any',
];

export type RuleAction = 'reject' | 'hold' | 'sensitive' | 'content_warning' | 'strip_media' | 'disclaimer';
export const RULE_ACTIONS: readonly RuleAction[] = [
  'hold',
  'reject',
  'sensitive',
  'content_warning',
  'strip_media',
  'disclaimer',
];

export const SECRET_KINDS = ['card_number', 'private_key', 'aws_access_key', 'github_token', 'slack_token'] as const;

/** A rule in the rule-file format (docs/moderation.md#rules). */
export interface RuleDef {
  name: string;
  direction: RuleDirection;
  match: MatchKind;
  patterns: string[];
  domains: string[];
  action: RuleAction;
  text: string;
  company_preview: boolean;
  enabled: boolean;
}

export interface Rule extends RuleDef {
  id: string;
  position: number;
  created_at: string;
  updated_at: string;
}

export type Rewrite =
  | { type: 'mark_sensitive' }
  | { type: 'content_warning'; text: string }
  | { type: 'strip_media' }
  | { type: 'append_disclaimer'; text: string };

export type Verdict =
  | { verdict: 'accept' }
  | { verdict: 'rewrite'; rewrites: Rewrite[] }
  | { verdict: 'hold'; reason: string; company_preview: boolean }
  | { verdict: 'reject'; reason: string };

/** One policy's answer: `policy` is `rule:ID`, `hook:ID` or `organisation_mode`. */
export interface Finding {
  policy: string;
  verdict: Verdict;
  note: string | null;
}

/** The combined answer of the rules to a test text. */
export interface Decision {
  outcome: 'accept' | 'hold' | 'reject';
  reason?: string;
  company_preview?: boolean;
  rewrites: Rewrite[];
  findings: Finding[];
}

export interface RuleTest {
  text: string;
  spoiler_text?: string;
  direction: 'inbound' | 'outbound';
  domains?: string[];
  hashtags?: string[];
  mentions?: number;
  rule?: RuleDef;
}

export type OrgMode = 'decentralized' | 'centralized';

export interface Organisation {
  default: OrgMode;
  roles: Record<string, OrgMode>;
  teams: Record<string, OrgMode>;
  company_preview: boolean;
}

/** Role names a user can have (docs/api-compatibility.md, PATCH …/accounts/:id). */
export const ROLE_NAMES = ['user', 'reviewer', 'moderator', 'admin'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

// ── Review queue ────────────────────────────────────────────────────────

export type ReviewState = 'pending' | 'rejected';

export interface ReviewEntry {
  id: string;
  state: ReviewState;
  reason: string | null;
  direction: 'inbound' | 'outbound' | null;
  company_preview: boolean;
  /** Sent back with the decision so an edit made meanwhile is not approved unseen. */
  requested_at: string | null;
  status: Status;
}

// ── Audit log ───────────────────────────────────────────────────────────

export interface AuditEntry {
  id: string;
  created_at: string;
  actor: string;
  actor_account_id: string | null;
  action: string;
  target_kind: string;
  target_id: string;
  reason: string;
  details: unknown;
}

// ── Hooks and webhooks ──────────────────────────────────────────────────

export interface Hook {
  id: string;
  name: string;
  url: string;
  direction: RuleDirection;
  timeout_ms: number;
  retries: number;
  fail_mode: 'open' | 'closed';
  enabled: boolean;
  created_at: string;
  updated_at: string;
  /** Only in the answer that creates it. */
  secret?: string;
}

export interface HookParams {
  name: string;
  url: string;
  direction: RuleDirection;
  timeout_ms: number;
  retries: number;
  fail_mode: 'open' | 'closed';
  enabled: boolean;
  /** Write-only: sent only when typed. */
  secret?: string;
}

export const WEBHOOK_EVENTS = [
  'account.created',
  'account.approved',
  'status.created',
  'status.updated',
  'report.created',
  'report.updated',
] as const;

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  created_at: string;
  updated_at: string;
  secret?: string;
}

export interface WebhookParams {
  url: string;
  events: string[];
  enabled: boolean;
  secret?: string;
}

// ── Accounts and reports ────────────────────────────────────────────────

/** Mastodon's `Admin::Account` (+ Loggia's `loggia_team`). */
export interface AdminAccount {
  id: string;
  username: string;
  domain: string | null;
  created_at: string;
  email: string | null;
  invite_request: string | null;
  role: (Role & { color?: string }) | null;
  confirmed: boolean;
  approved: boolean;
  disabled: boolean;
  silenced: boolean;
  suspended: boolean;
  sensitized: boolean;
  account: Account;
  loggia_team?: string | null;
}

export type AccountOrigin = 'local' | 'remote';
export type AccountStatus = '' | 'active' | 'pending' | 'disabled' | 'silenced' | 'suspended';
export type AccountActionType = 'none' | 'sensitive' | 'disable' | 'silence' | 'suspend';
export type AccountUndo = 'enable' | 'unsilence' | 'unsuspend' | 'unsensitive';

export const REPORT_CATEGORIES = ['spam', 'legal', 'violation', 'other'] as const;

/** Mastodon's `Admin::Report`. */
export interface AdminReport {
  id: string;
  action_taken: boolean;
  action_taken_at: string | null;
  category: string;
  comment: string;
  forwarded: boolean;
  created_at: string;
  updated_at: string;
  account: AdminAccount;
  target_account: AdminAccount;
  assigned_account: AdminAccount | null;
  action_taken_by_account: AdminAccount | null;
  statuses: Status[];
}

export interface ReportNote {
  id: string;
  report_id: string;
  account: Account;
  content: string;
  created_at: string;
}

export type ReportChange = 'assign_to_self' | 'unassign' | 'resolve' | 'reopen';

// ── Calls ───────────────────────────────────────────────────────────────

const L = '/api/v1/loggia/admin';
const M = '/api/v1/admin';
const id = encodeURIComponent;

export const admin = {
  federation: {
    get: (c: Client) => c.get<{ mode: FederationMode }>(`${L}/federation`),
    set: (c: Client, mode: FederationMode) => c.put<{ mode: FederationMode }>(`${L}/federation`, { mode }),
  },
  domainBlocks: {
    list: (c: Client, q: Query) => c.page<DomainBlock>(`${M}/domain_blocks`, q),
    create: (c: Client, p: DomainBlockParams) => c.post<DomainBlock>(`${M}/domain_blocks`, p),
    update: (c: Client, blockId: string, p: Omit<DomainBlockParams, 'domain'>) =>
      c.put<DomainBlock>(`${M}/domain_blocks/${id(blockId)}`, p),
    remove: (c: Client, blockId: string) => c.del<unknown>(`${M}/domain_blocks/${id(blockId)}`),
  },
  domainAllows: {
    list: (c: Client, q: Query) => c.page<DomainAllow>(`${M}/domain_allows`, q),
    create: (c: Client, domain: string) => c.post<DomainAllow>(`${M}/domain_allows`, { domain }),
    remove: (c: Client, allowId: string) => c.del<unknown>(`${M}/domain_allows/${id(allowId)}`),
  },
  organisation: {
    get: (c: Client) => c.get<Organisation>(`${L}/organisation`),
    set: (c: Client, o: Organisation) => c.put<Organisation>(`${L}/organisation`, o),
  },
  rules: {
    list: (c: Client) => c.get<Rule[]>(`${L}/rules`),
    create: (c: Client, def: RuleDef, position?: number) => c.post<Rule>(`${L}/rules`, { ...def, position }),
    update: (c: Client, ruleId: string, def: RuleDef, position?: number) =>
      c.put<Rule>(`${L}/rules/${id(ruleId)}`, { ...def, position }),
    remove: (c: Client, ruleId: string) => c.del<unknown>(`${L}/rules/${id(ruleId)}`),
    test: (c: Client, test: RuleTest) => c.post<Decision>(`${L}/rules/test`, test),
  },
  reviews: {
    list: (c: Client, q: Query) => c.page<ReviewEntry>(`${L}/reviews`, q),
    approve: (c: Client, entry: ReviewEntry, contentWarning?: string) =>
      c.post<Status>(`${L}/reviews/${id(entry.id)}/approve`, {
        requested_at: entry.requested_at ?? undefined,
        content_warning: contentWarning || undefined,
      }),
    reject: (c: Client, entry: ReviewEntry, reason: string) =>
      c.post<Status>(`${L}/reviews/${id(entry.id)}/reject`, {
        requested_at: entry.requested_at ?? undefined,
        reason,
      }),
  },
  audit: {
    list: (c: Client, q: Query) => c.page<AuditEntry>(`${L}/audit_log`, q),
  },
  hooks: {
    list: (c: Client) => c.get<Hook[]>(`${L}/hooks`),
    create: (c: Client, p: HookParams) => c.post<Hook>(`${L}/hooks`, p),
    update: (c: Client, hookId: string, p: HookParams) => c.put<Hook>(`${L}/hooks/${id(hookId)}`, p),
    remove: (c: Client, hookId: string) => c.del<unknown>(`${L}/hooks/${id(hookId)}`),
    test: (c: Client, hookId: string, text: string) =>
      c.post<Finding>(`${L}/hooks/${id(hookId)}/test`, { text: text || undefined }),
  },
  webhooks: {
    list: (c: Client) => c.get<Webhook[]>(`${L}/webhooks`),
    create: (c: Client, p: WebhookParams) => c.post<Webhook>(`${L}/webhooks`, p),
    update: (c: Client, hookId: string, p: WebhookParams) => c.put<Webhook>(`${L}/webhooks/${id(hookId)}`, p),
    remove: (c: Client, hookId: string) => c.del<unknown>(`${L}/webhooks/${id(hookId)}`),
  },
  accounts: {
    list: (c: Client, q: Query) => c.page<AdminAccount>('/api/v2/admin/accounts', q),
    approve: (c: Client, accountId: string) => c.post<AdminAccount>(`${M}/accounts/${id(accountId)}/approve`),
    reject: (c: Client, accountId: string) => c.post<AdminAccount>(`${M}/accounts/${id(accountId)}/reject`),
    act: (c: Client, accountId: string, type: AccountActionType, text?: string, reportId?: string) =>
      c.post<unknown>(`${M}/accounts/${id(accountId)}/action`, {
        type,
        text: text || undefined,
        report_id: reportId,
      }),
    undo: (c: Client, accountId: string, undo: AccountUndo) =>
      c.post<AdminAccount>(`${M}/accounts/${id(accountId)}/${undo}`),
    get: (c: Client, accountId: string) => c.get<AdminAccount>(`${M}/accounts/${id(accountId)}`),
    /** Loggia: a local user's role and/or team (an empty team clears it). */
    update: (c: Client, accountId: string, changes: { role?: RoleName; team?: string }) =>
      c.patch<AdminAccount>(`${L}/accounts/${id(accountId)}`, changes),
  },
  reports: {
    list: (c: Client, q: Query): Promise<Page<AdminReport>> => c.page<AdminReport>(`${M}/reports`, q),
    get: (c: Client, reportId: string) => c.get<AdminReport>(`${M}/reports/${id(reportId)}`),
    change: (c: Client, reportId: string, change: ReportChange) =>
      c.post<AdminReport>(`${M}/reports/${id(reportId)}/${change}`),
    categorize: (c: Client, reportId: string, category: string) =>
      c.put<AdminReport>(`${M}/reports/${id(reportId)}`, { category }),
    notes: (c: Client, reportId: string) => c.get<ReportNote[]>(`${L}/reports/${id(reportId)}/notes`),
    addNote: (c: Client, reportId: string, content: string) =>
      c.post<ReportNote>(`${L}/reports/${id(reportId)}/notes`, { content }),
    removeNote: (c: Client, reportId: string, noteId: string) =>
      c.del<unknown>(`${L}/reports/${id(reportId)}/notes/${id(noteId)}`),
  },
};
