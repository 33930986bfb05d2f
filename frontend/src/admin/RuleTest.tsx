// "Test this text": what the saved rules (or a rule not saved yet) would do
// with a post, and which rules said so.

import { useState } from 'preact/hooks';

import { type Decision, type Rewrite, type Rule, type RuleDef, admin } from '../api/admin';
import { type MessageKey, t } from '../i18n';
import { useSession } from '../session';
import { actionError } from './common';
import { outcomeOf, parseDomains } from './forms';

const OUTCOME: Record<ReturnType<typeof outcomeOf>, MessageKey> = {
  accept: 'admin.test.outcome_accept',
  rewrite: 'admin.test.outcome_rewrite',
  hold: 'admin.test.outcome_hold',
  reject: 'admin.test.outcome_reject',
};

function rewriteText(rewrite: Rewrite): string {
  switch (rewrite.type) {
    case 'mark_sensitive':
      return t('admin.test.rewrite_sensitive');
    case 'strip_media':
      return t('admin.test.rewrite_strip_media');
    case 'content_warning':
      return t('admin.test.rewrite_cw', { text: rewrite.text });
    case 'append_disclaimer':
      return t('admin.test.rewrite_disclaimer', { text: rewrite.text });
  }
}

/** The combined verdict and the findings behind it. */
export function DecisionView({ decision, rules, draft }: { decision: Decision; rules: Rule[]; draft?: string }) {
  const outcome = outcomeOf(decision);
  const policyName = (policy: string) => {
    // A rule tried before saving has no id yet: the server calls it rule:0.
    if (draft !== undefined && policy === 'rule:0') return draft;
    const rule = rules.find((r) => `rule:${r.id}` === policy);
    return rule ? rule.name : policy;
  };
  return (
    <div class={`decision decision-${outcome}`}>
      <p>
        <strong>{t(OUTCOME[outcome])}</strong>
        {decision.reason ? ` — ${decision.reason}` : ''}
      </p>
      {decision.rewrites.length > 0 && (
        <ul>
          {decision.rewrites.map((r, i) => (
            <li key={i}>{rewriteText(r)}</li>
          ))}
        </ul>
      )}
      {decision.findings.length === 0 ? (
        <p class="muted">{t('admin.test.no_match')}</p>
      ) : (
        <>
          <p>{t('admin.test.matched')}</p>
          <ul>
            {decision.findings.map((f, i) => (
              <li key={i}>
                <strong>{policyName(f.policy)}</strong> — {t(OUTCOME[f.verdict.verdict])}
                {f.note ? <span class="muted"> ({f.note})</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export interface RuleTestProps {
  /** The saved rules, to name findings. */
  rules: Rule[];
  /** A rule being edited: test it alone instead of the saved set. */
  rule?: () => RuleDef;
  idPrefix: string;
}

export function RuleTest({ rules, rule, idPrefix }: RuleTestProps) {
  const { client } = useSession();
  const [text, setText] = useState('');
  const [direction, setDirection] = useState<'outbound' | 'inbound'>('outbound');
  const [domains, setDomains] = useState('');
  const [decision, setDecision] = useState<Decision | null>(null);
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const def = rule?.();
      setDraft(def?.name);
      setDecision(
        await admin.rules.test(client, {
          text,
          direction: def && def.direction !== 'both' ? def.direction : direction,
          domains: parseDomains(domains),
          rule: def,
        }),
      );
    } catch (e) {
      setDecision(null);
      setError(actionError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="rule-test" onSubmit={run}>
      <div class="field">
        <label for={`${idPrefix}-text`}>{t('admin.test.text')}</label>
        <textarea id={`${idPrefix}-text`} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <div class="field-row">
        {(!rule || rule().direction === 'both') && (
          <div class="field">
            <label for={`${idPrefix}-direction`}>{t('admin.rules.direction')}</label>
            <select id={`${idPrefix}-direction`} value={direction} onChange={(e) => setDirection(e.currentTarget.value as 'outbound' | 'inbound')}>
              <option value="outbound">{t('admin.rules.direction_outbound')}</option>
              <option value="inbound">{t('admin.rules.direction_inbound')}</option>
            </select>
          </div>
        )}
        <div class="field">
          <label for={`${idPrefix}-domains`}>{t('admin.test.domains')}</label>
          <input id={`${idPrefix}-domains`} value={domains} placeholder="partner.example" onInput={(e) => setDomains(e.currentTarget.value)} />
        </div>
      </div>
      <button type="submit" disabled={busy}>
        {rule ? t('admin.test.run_rule') : t('admin.test.run')}
      </button>
      <div role="status" aria-live="polite">
        {decision && <DecisionView decision={decision} rules={rules} draft={draft} />}
      </div>
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
