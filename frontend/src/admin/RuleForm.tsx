// Creating or editing one rule, with the server's 422 shown next to the
// field it names, and a box to try the rule on a text before saving it.

import { useState } from 'preact/hooks';

import { MATCH_KINDS, type MatchKind, RULE_ACTIONS, RULE_DIRECTIONS, type Rule, type RuleAction, type RuleDirection, SECRET_KINDS, admin } from '../api/admin';
import { ApiError } from '../api/client';
import { type MessageKey, t } from '../i18n';
import { useSession } from '../session';
import { RuleTest } from './RuleTest';
import { FieldError, FormFooter, actionError } from './common';
import { type RuleForm as Form, emptyRuleForm, formToRule, needsPatterns, needsText, parseLines, ruleToForm, splitValidation } from './forms';

const FIELDS = ['name', 'direction', 'match', 'patterns', 'domains', 'action', 'text', 'position'] as const;
type FieldName = (typeof FIELDS)[number];

const TEXT_LABEL: Record<RuleAction, MessageKey> = {
  reject: 'admin.rules.text_reason',
  hold: 'admin.rules.text_reason',
  sensitive: 'admin.rules.text_note',
  strip_media: 'admin.rules.text_note',
  content_warning: 'admin.rules.text_cw',
  disclaimer: 'admin.rules.text_disclaimer',
};

export interface RuleFormProps {
  rule: Rule | null;
  rules: Rule[];
  onSaved: (rule: Rule) => void;
  onCancel: () => void;
}

export function RuleForm({ rule, rules, onSaved, onCancel }: RuleFormProps) {
  const { client } = useSession();
  const [form, setForm] = useState<Form>(() => (rule ? ruleToForm(rule) : emptyRuleForm()));
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `rule-${rule?.id ?? 'new'}`;
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((old) => ({ ...old, [key]: value }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setGeneral(null);
    const { def, position } = formToRule(form);
    try {
      onSaved(rule ? await admin.rules.update(client, rule.id, def, position) : await admin.rules.create(client, def, position));
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        const { field, message } = splitValidation(e.message, FIELDS);
        if (field) setErrors({ [field as FieldName]: message });
        else setGeneral(message);
      } else {
        setGeneral(actionError(e));
      }
    } finally {
      setBusy(false);
    }
  };

  // Attributes linking a field to its help and error texts.
  const described = (name: FieldName, help = false) => ({
    id: `${base}-${name}`,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': [help && `${base}-${name}-help`, errors[name] && `${base}-${name}-error`].filter(Boolean).join(' ') || undefined,
  });
  const select = <T extends string>(name: FieldName, values: readonly T[], value: T, label: (v: T) => MessageKey, onPick: (v: T) => void) => (
    <div class="field">
      <label for={`${base}-${name}`}>{t(`admin.rules.${name}` as MessageKey)}</label>
      <select {...described(name)} value={value} onChange={(e) => onPick(e.currentTarget.value as T)}>
        {values.map((v) => (
          <option key={v} value={v}>
            {t(label(v))}
          </option>
        ))}
      </select>
      <FieldError id={`${base}-${name}-error`} message={errors[name]} />
    </div>
  );
  const secrets = parseLines(form.patterns);

  return (
    <div class="card admin-form">
      <form onSubmit={submit}>
        <div class="field">
          <label for={`${base}-name`}>{t('admin.rules.name')}</label>
          <input {...described('name')} value={form.name} required maxLength={200} onInput={(e) => set('name', e.currentTarget.value)} />
          <FieldError id={`${base}-name-error`} message={errors.name} />
        </div>
        <div class="field-row">
          {select('direction', RULE_DIRECTIONS, form.direction, (d: RuleDirection) => `admin.rules.direction_${d}` as MessageKey, (d) => set('direction', d))}
          {select('match', MATCH_KINDS, form.match, (m: MatchKind) => `admin.rules.match_${m}` as MessageKey, (m) => set('match', m))}
        </div>
        <p class="help">{t(`admin.rules.match_${form.match}_help` as MessageKey)}</p>
        {form.match === 'secret' ? (
          <fieldset class="choices" aria-describedby={errors.patterns ? `${base}-patterns-error` : undefined}>
            <legend>{t('admin.rules.patterns_secret')}</legend>
            {SECRET_KINDS.map((kind) => (
              <div key={kind} class="check">
                <input
                  id={`${base}-secret-${kind}`}
                  type="checkbox"
                  checked={secrets.includes(kind)}
                  onChange={(e) =>
                    set('patterns', (e.currentTarget.checked ? [...secrets, kind] : secrets.filter((s) => s !== kind)).join('\n'))
                  }
                />
                <label for={`${base}-secret-${kind}`}>{t(`admin.rules.secret_${kind}` as MessageKey)}</label>
              </div>
            ))}
            <FieldError id={`${base}-patterns-error`} message={errors.patterns} />
          </fieldset>
        ) : form.match === 'mention_count' ? (
          <div class="field">
            <label for={`${base}-patterns`}>{t('admin.rules.patterns_count')}</label>
            <input {...described('patterns')} type="number" min={1} value={form.patterns} required onInput={(e) => set('patterns', e.currentTarget.value)} />
            <FieldError id={`${base}-patterns-error`} message={errors.patterns} />
          </div>
        ) : needsPatterns(form.match) ? (
          <div class="field">
            <label for={`${base}-patterns`}>{t('admin.rules.patterns')}</label>
            <textarea {...described('patterns', true)} rows={3} value={form.patterns} required onInput={(e) => set('patterns', e.currentTarget.value)} />
            <p id={`${base}-patterns-help`} class="help">
              {t('admin.rules.patterns_help')}
            </p>
            <FieldError id={`${base}-patterns-error`} message={errors.patterns} />
          </div>
        ) : null}
        <div class="field">
          <label for={`${base}-domains`}>{t('admin.rules.domains')}</label>
          <textarea {...described('domains', true)} rows={2} value={form.domains} onInput={(e) => set('domains', e.currentTarget.value)} />
          <p id={`${base}-domains-help`} class="help">
            {t('admin.rules.domains_help')}
          </p>
          <FieldError id={`${base}-domains-error`} message={errors.domains} />
        </div>
        {select('action', RULE_ACTIONS, form.action, (a: RuleAction) => `admin.rules.action_${a}` as MessageKey, (a) => set('action', a))}
        <div class="field">
          <label for={`${base}-text`}>{t(TEXT_LABEL[form.action])}</label>
          <input {...described('text')} value={form.text} required={needsText(form.action)} maxLength={1000} onInput={(e) => set('text', e.currentTarget.value)} />
          <FieldError id={`${base}-text-error`} message={errors.text} />
        </div>
        {form.action === 'hold' && (
          <div class="check">
            <input id={`${base}-preview`} type="checkbox" checked={form.company_preview} onChange={(e) => set('company_preview', e.currentTarget.checked)} />
            <label for={`${base}-preview`}>{t('admin.rules.company_preview')}</label>
          </div>
        )}
        <div class="check">
          <input id={`${base}-enabled`} type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
          <label for={`${base}-enabled`}>{t('admin.rules.enabled')}</label>
        </div>
        <div class="field field-narrow">
          <label for={`${base}-position`}>{t('admin.rules.position')}</label>
          <input {...described('position', true)} type="number" value={form.position} onInput={(e) => set('position', e.currentTarget.value)} />
          <p id={`${base}-position-help`} class="help">
            {t('admin.rules.position_help')}
          </p>
          <FieldError id={`${base}-position-error`} message={errors.position} />
        </div>
        <FormFooter error={general} busy={busy} submitLabel={rule ? t('common.save') : t('admin.rules.create')} onCancel={onCancel} />
      </form>
      <details class="admin-details">
        <summary>{t('admin.rules.try')}</summary>
        <RuleTest rules={rules} rule={() => formToRule(form).def} idPrefix={`${base}-try`} />
      </details>
    </div>
  );
}
