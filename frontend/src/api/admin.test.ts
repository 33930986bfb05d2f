import { describe, expect, it } from 'vitest';

import {
  accountActions,
  actionName,
  actionNeedsConfirm,
  auditQuery,
  blockNeedsConfirm,
  blockToForm,
  EMPTY_AUDIT_FILTERS,
  emptyRuleForm,
  formToOrganisation,
  formToRule,
  localToRfc3339,
  organisationToForm,
  outcomeOf,
  parseDomains,
  parseLines,
  ruleToForm,
  splitValidation,
} from '../admin/forms';
import { LOCALES } from '../i18n';
import {
  BLOCK_SEVERITIES,
  type DomainBlock,
  MATCH_KINDS,
  REPORT_CATEGORIES,
  ROLE_NAMES,
  RULE_ACTIONS,
  RULE_DIRECTIONS,
  type Rule,
  SECRET_KINDS,
} from './admin';

describe('parseLines', () => {
  it('keeps one trimmed entry a line, dropping blanks and repeats', () => {
    expect(parseLines(' Project Falcon \n\nBluebird\r\nProject Falcon\n')).toEqual(['Project Falcon', 'Bluebird']);
  });
  it('keeps commas inside a line (regexes)', () => {
    expect(parseLines('a{1,3}\nb')).toEqual(['a{1,3}', 'b']);
  });
});

describe('parseDomains', () => {
  it('splits on lines, commas and spaces and lower-cases', () => {
    expect(parseDomains('Rival.example, partner.example\n  *.loud.example rival.example')).toEqual([
      'rival.example',
      'partner.example',
      '*.loud.example',
    ]);
  });
});

const stored: Rule = {
  id: '7',
  position: 3,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  name: 'Launch',
  direction: 'outbound',
  match: 'keyword',
  patterns: ['launch', 'release date'],
  domains: ['rival.example'],
  action: 'hold',
  text: 'Mentions a launch',
  company_preview: true,
  enabled: true,
};

describe('rule forms', () => {
  it('round-trips a stored rule', () => {
    const { def, position } = formToRule(ruleToForm(stored));
    const { id: _id, position: _p, created_at: _c, updated_at: _u, ...expected } = stored;
    expect(def).toEqual(expected);
    expect(position).toBe(3);
  });

  it('builds a payload from what was typed', () => {
    const form = { ...emptyRuleForm(), name: '  Launch ', patterns: 'launch\n\n', text: ' Held ', company_preview: true };
    expect(formToRule(form)).toEqual({
      def: {
        name: 'Launch',
        direction: 'outbound',
        match: 'keyword',
        patterns: ['launch'],
        domains: [],
        action: 'hold',
        text: 'Held',
        company_preview: true,
        enabled: true,
      },
      position: undefined,
    });
  });

  it('drops patterns for kinds without them and preview for non-holds', () => {
    const form = { ...emptyRuleForm(), match: 'media' as const, patterns: 'left over', action: 'reject' as const, company_preview: true };
    const { def } = formToRule(form);
    expect(def.patterns).toEqual([]);
    expect(def.company_preview).toBe(false);
  });

  it('ignores a position that is not a whole number', () => {
    expect(formToRule({ ...emptyRuleForm(), position: '1.5' }).position).toBeUndefined();
    expect(formToRule({ ...emptyRuleForm(), position: '0' }).position).toBe(0);
  });
});

describe('splitValidation', () => {
  const fields = ['name', 'patterns', 'text', 'match'];
  it('finds the field a 422 names', () => {
    expect(splitValidation('Validation failed: patterns: a keyword rule needs at least one', fields)).toEqual({
      field: 'patterns',
      message: 'patterns: a keyword rule needs at least one',
    });
    expect(splitValidation('Validation failed: name must be 1 to 200 characters', fields).field).toBe('name');
  });
  it('leaves other messages general', () => {
    expect(splitValidation('Validation failed: unknown field `foo`', fields).field).toBeNull();
    expect(splitValidation('Duplicate record', fields)).toEqual({ field: null, message: 'Duplicate record' });
  });
});

describe('outcomeOf', () => {
  it('calls an accept with rewrites a rewrite', () => {
    expect(outcomeOf({ outcome: 'accept', rewrites: [{ type: 'mark_sensitive' }], findings: [] })).toBe('rewrite');
    expect(outcomeOf({ outcome: 'accept', rewrites: [], findings: [] })).toBe('accept');
    expect(outcomeOf({ outcome: 'hold', reason: 'x', rewrites: [], findings: [] })).toBe('hold');
  });
});

describe('organisation form', () => {
  it('round-trips and drops blank teams and inherited roles', () => {
    const org = { default: 'centralized' as const, roles: { admin: 'decentralized' as const }, teams: { comms: 'decentralized' as const }, company_preview: false };
    const form = organisationToForm(org);
    expect(form.roles).toEqual({ user: '', reviewer: '', moderator: '', admin: 'decentralized' });
    form.teams.push({ name: '  ', mode: 'centralized' }, { name: ' sales ', mode: 'centralized' });
    expect(formToOrganisation(form)).toEqual({ ...org, teams: { comms: 'decentralized', sales: 'centralized' } });
  });
});

describe('domain blocks', () => {
  const block: DomainBlock = {
    id: '1',
    domain: 'spam.example',
    digest: '',
    created_at: '',
    severity: 'silence',
    reject_media: true,
    reject_reports: false,
    private_comment: null,
    public_comment: 'noisy',
    obfuscate: false,
  };
  it('fills the form with empty comments for nulls', () => {
    expect(blockToForm(block)).toMatchObject({ private_comment: '', public_comment: 'noisy', reject_media: true });
  });
  it('confirms only a move to suspend', () => {
    expect(blockNeedsConfirm({ severity: 'suspend' }, null)).toBe(true);
    expect(blockNeedsConfirm({ severity: 'suspend' }, block)).toBe(true);
    expect(blockNeedsConfirm({ severity: 'suspend' }, { ...block, severity: 'suspend' })).toBe(false);
    expect(blockNeedsConfirm({ severity: 'silence' }, null)).toBe(false);
  });
});

describe('audit filters', () => {
  it('sends only what is filled, times as RFC 3339', () => {
    const since = '2026-03-01T10:30';
    expect(auditQuery({ ...EMPTY_AUDIT_FILTERS, action: ' status. ', since })).toEqual({
      action: 'status.',
      actor: undefined,
      target_kind: undefined,
      target_id: undefined,
      since: new Date(since).toISOString(),
      until: undefined,
    });
    expect(localToRfc3339('')).toBeUndefined();
    expect(localToRfc3339('not a date')).toBeUndefined();
  });
});

describe('account actions', () => {
  const base = { domain: null, approved: true, disabled: false, silenced: false, suspended: false, sensitized: false };
  it('offers limits for an active local user', () => {
    expect(accountActions(base).map(actionName)).toEqual(['silence', 'suspend', 'sensitive', 'disable']);
  });
  it('offers approval for a pending sign-up and undoing for limits', () => {
    const names = accountActions({ ...base, approved: false, silenced: true, suspended: true, sensitized: true, disabled: true }).map(actionName);
    expect(names).toEqual(['approve', 'reject', 'unsilence', 'unsuspend', 'unsensitive', 'enable']);
  });
  it('never offers login or approval actions for remote accounts', () => {
    expect(accountActions({ ...base, domain: 'remote.example', approved: false }).map(actionName)).toEqual(['silence', 'suspend', 'sensitive']);
  });
  it('asks before the hard-to-undo ones', () => {
    const asks = accountActions({ ...base, approved: false }).filter(actionNeedsConfirm).map(actionName);
    expect(asks).toEqual(['reject', 'suspend', 'disable']);
  });
});

describe('translations of computed keys', () => {
  const en = LOCALES.en as Record<string, string>;
  const it_ = LOCALES.it as Record<string, string>;
  const keys = [
    ...RULE_DIRECTIONS.map((d) => `admin.rules.direction_${d}`),
    ...MATCH_KINDS.flatMap((m) => [`admin.rules.match_${m}`, `admin.rules.match_${m}_help`]),
    ...RULE_ACTIONS.map((a) => `admin.rules.action_${a}`),
    ...SECRET_KINDS.map((s) => `admin.rules.secret_${s}`),
    ...ROLE_NAMES.map((r) => `admin.role.${r}`),
    ...REPORT_CATEGORIES.map((c) => `admin.reports.category_${c}`),
    ...BLOCK_SEVERITIES.map((s) => `admin.blocks.severity_${s}`),
    'admin.org.decentralized',
    'admin.org.centralized',
    ...['approve', 'reject', 'silence', 'unsilence', 'suspend', 'unsuspend', 'sensitive', 'unsensitive', 'disable', 'enable'].flatMap(
      (a) => [`admin.accounts.action_${a}`, `admin.accounts.done_${a}`],
    ),
    ...['reject', 'suspend', 'disable'].map((a) => `admin.accounts.confirm_${a}`),
    ...['accept', 'rewrite', 'hold', 'reject'].map((o) => `admin.test.outcome_${o}`),
  ];
  it.each(keys)('%s exists in English and Italian', (key) => {
    expect(en[key]).toBeTruthy();
    expect(it_[key]).toBeTruthy();
  });
});
