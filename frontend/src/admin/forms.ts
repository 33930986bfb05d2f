// Pure logic of the admin forms: form state ↔ API payloads, the lists typed
// into textareas, field-level validation messages and which actions an
// account offers. No DOM and no calls, so it is tested in api/admin.test.ts.

import type {
  AccountActionType,
  AccountUndo,
  AdminAccount,
  BlockSeverity,
  Decision,
  DomainBlock,
  DomainBlockParams,
  MatchKind,
  OrgMode,
  Organisation,
  Rule,
  RuleAction,
  RuleDef,
  RuleDirection,
} from '../api/admin';
import { ROLE_NAMES } from '../api/admin';
import type { Query } from '../api/client';

/** One entry a line: trimmed, blank lines and repeats dropped (regexes may hold commas). */
export function parseLines(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const item = line.trim();
    if (item && !seen.has(item)) {
      seen.add(item);
      out.push(item);
    }
  }
  return out;
}

/** Domains separated by lines, commas or spaces, lower-cased. */
export function parseDomains(text: string): string[] {
  return parseLines(text.replace(/[,\s]+/g, '\n').toLowerCase());
}

export const needsPatterns = (match: MatchKind): boolean => match !== 'media' && match !== 'any';
export const needsText = (action: RuleAction): boolean => action === 'content_warning' || action === 'disclaimer';

export interface RuleForm {
  name: string;
  direction: RuleDirection;
  match: MatchKind;
  /** One pattern a line. */
  patterns: string;
  domains: string;
  action: RuleAction;
  text: string;
  company_preview: boolean;
  enabled: boolean;
  /** Empty: the server's choice (the end of the list). */
  position: string;
}

export function emptyRuleForm(): RuleForm {
  return {
    name: '',
    direction: 'outbound',
    match: 'keyword',
    patterns: '',
    domains: '',
    action: 'hold',
    text: '',
    company_preview: false,
    enabled: true,
    position: '',
  };
}

export function ruleToForm(rule: Rule): RuleForm {
  return {
    name: rule.name,
    direction: rule.direction,
    match: rule.match,
    patterns: rule.patterns.join('\n'),
    domains: rule.domains.join('\n'),
    action: rule.action,
    text: rule.text,
    company_preview: rule.company_preview,
    enabled: rule.enabled,
    position: String(rule.position),
  };
}

export function formToRule(form: RuleForm): { def: RuleDef; position?: number } {
  const position = form.position.trim() === '' ? Number.NaN : Number(form.position);
  return {
    def: {
      name: form.name.trim(),
      direction: form.direction,
      match: form.match,
      patterns: needsPatterns(form.match) ? parseLines(form.patterns) : [],
      domains: parseDomains(form.domains),
      action: form.action,
      text: form.text.trim(),
      // Only a hold lets colleagues read the post meanwhile.
      company_preview: form.action === 'hold' && form.company_preview,
      enabled: form.enabled,
    },
    position: Number.isInteger(position) ? position : undefined,
  };
}

/**
 * Splits a 422 message ("Validation failed: patterns: a keyword rule needs
 * at least one") into the field it names, when it is one of `fields`, and
 * the sentence to show next to it.
 */
export function splitValidation(message: string, fields: readonly string[]): { field: string | null; message: string } {
  const text = message.replace(/^Validation failed:\s*/, '');
  const match = /^([a-z_]+)(?::\s*|\s)/.exec(text);
  if (match && fields.includes(match[1])) return { field: match[1], message: text };
  return { field: null, message: text };
}

/** The verdict a test gave, with "rewrite" for an accept that changes the post. */
export function outcomeOf(decision: Decision): 'accept' | 'rewrite' | 'hold' | 'reject' {
  if (decision.outcome === 'accept' && decision.rewrites.length > 0) return 'rewrite';
  return decision.outcome;
}

export interface OrganisationForm {
  default: OrgMode;
  /** '' means "as the default". */
  roles: Record<string, OrgMode | ''>;
  teams: { name: string; mode: OrgMode }[];
  company_preview: boolean;
}

export function organisationToForm(o: Organisation): OrganisationForm {
  const roles: Record<string, OrgMode | ''> = {};
  for (const role of ROLE_NAMES) roles[role] = o.roles[role] ?? '';
  return {
    default: o.default,
    roles,
    teams: Object.entries(o.teams).map(([name, mode]) => ({ name, mode })),
    company_preview: o.company_preview,
  };
}

export function formToOrganisation(form: OrganisationForm): Organisation {
  const roles: Record<string, OrgMode> = {};
  for (const [role, mode] of Object.entries(form.roles)) if (mode) roles[role] = mode;
  const teams: Record<string, OrgMode> = {};
  for (const { name, mode } of form.teams) if (name.trim()) teams[name.trim()] = mode;
  return { default: form.default, roles, teams, company_preview: form.company_preview };
}

export function emptyBlockForm(): DomainBlockParams {
  return {
    domain: '',
    severity: 'silence',
    reject_media: false,
    reject_reports: false,
    private_comment: '',
    public_comment: '',
    obfuscate: false,
  };
}

export function blockToForm(block: DomainBlock): DomainBlockParams {
  return {
    domain: block.domain,
    severity: block.severity,
    reject_media: block.reject_media,
    reject_reports: block.reject_reports,
    private_comment: block.private_comment ?? '',
    public_comment: block.public_comment ?? '',
    obfuscate: block.obfuscate,
  };
}

/** Whether saving `form` over `before` (null: a new block) deserves a confirmation. */
export function blockNeedsConfirm(form: { severity: BlockSeverity }, before: DomainBlock | null): boolean {
  return form.severity === 'suspend' && before?.severity !== 'suspend';
}

/** A `datetime-local` value (the viewer's zone) as RFC 3339; empty stays absent. */
export function localToRfc3339(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export interface AuditFilters {
  action: string;
  actor: string;
  target_kind: string;
  target_id: string;
  since: string;
  until: string;
}

export const EMPTY_AUDIT_FILTERS: AuditFilters = { action: '', actor: '', target_kind: '', target_id: '', since: '', until: '' };

export function auditQuery(filters: AuditFilters): Query {
  return {
    action: filters.action.trim() || undefined,
    actor: filters.actor.trim() || undefined,
    target_kind: filters.target_kind.trim() || undefined,
    target_id: filters.target_id.trim() || undefined,
    since: localToRfc3339(filters.since),
    until: localToRfc3339(filters.until),
  };
}

/** What a moderator can do to an account in its present state. */
export type AccountAction =
  | { kind: 'approve' | 'reject' }
  | { kind: 'act'; type: AccountActionType }
  | { kind: 'undo'; undo: AccountUndo };

export function accountActions(a: Pick<AdminAccount, 'domain' | 'approved' | 'disabled' | 'silenced' | 'suspended' | 'sensitized'>): AccountAction[] {
  const local = !a.domain;
  const out: AccountAction[] = [];
  if (local && !a.approved) out.push({ kind: 'approve' }, { kind: 'reject' });
  out.push(a.silenced ? { kind: 'undo', undo: 'unsilence' } : { kind: 'act', type: 'silence' });
  out.push(a.suspended ? { kind: 'undo', undo: 'unsuspend' } : { kind: 'act', type: 'suspend' });
  out.push(a.sensitized ? { kind: 'undo', undo: 'unsensitive' } : { kind: 'act', type: 'sensitive' });
  if (local) out.push(a.disabled ? { kind: 'undo', undo: 'enable' } : { kind: 'act', type: 'disable' });
  return out;
}

/** The name of an action, as used for its label key and its confirmation. */
export function actionName(action: AccountAction): string {
  switch (action.kind) {
    case 'act':
      return action.type;
    case 'undo':
      return action.undo;
    default:
      return action.kind;
  }
}

/** Actions that are hard to undo ask first. */
export function actionNeedsConfirm(action: AccountAction): boolean {
  return action.kind === 'reject' || (action.kind === 'act' && (action.type === 'suspend' || action.type === 'disable'));
}
