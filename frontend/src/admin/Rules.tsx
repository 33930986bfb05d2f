// Moderation rules in evaluation order, their forms, a box to test a text
// against them, and the organisation mode (the other policy admins set).

import { useCallback, useState } from 'preact/hooks';

import { type Rule, admin } from '../api/admin';
import { Empty, Loading } from '../components/feedback';
import { type MessageKey, t } from '../i18n';
import type { Params } from '../router';
import { PERMISSIONS, useSession } from '../session';
import { Organisation } from './Organisation';
import { RuleForm } from './RuleForm';
import { RuleTest } from './RuleTest';
import { AdminError, AdminPage, actionError, guarded, useAnnouncer, useLoaded } from './common';
import { needsPatterns } from './forms';

function RuleItem({ rule, rules, onSaved, onDelete }: { rule: Rule; rules: Rule[]; onSaved: (r: Rule) => void; onDelete: () => void }) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <li>
        <RuleForm
          rule={rule}
          rules={rules}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            onSaved(saved);
          }}
        />
      </li>
    );
  }
  return (
    <li class={`card admin-item rule${rule.enabled ? '' : ' rule-disabled'}`}>
      <div class="admin-item-head">
        <strong>{rule.name}</strong>
        <span class="badge">{rule.enabled ? t('admin.rules.on') : t('admin.rules.off')}</span>
      </div>
      <dl class="facts">
        <dt>{t('admin.rules.direction')}</dt>
        <dd>{t(`admin.rules.direction_${rule.direction}` as MessageKey)}</dd>
        <dt>{t('admin.rules.match')}</dt>
        <dd>{t(`admin.rules.match_${rule.match}` as MessageKey)}</dd>
        {needsPatterns(rule.match) && (
          <>
            <dt>{t('admin.rules.patterns')}</dt>
            <dd>
              {rule.patterns.map((p) => (
                <code key={p} class="pattern">
                  {p}
                </code>
              ))}
            </dd>
          </>
        )}
        {rule.domains.length > 0 && (
          <>
            <dt>{t('admin.rules.domains_short')}</dt>
            <dd>{rule.domains.join(', ')}</dd>
          </>
        )}
        <dt>{t('admin.rules.action')}</dt>
        <dd>
          {t(`admin.rules.action_${rule.action}` as MessageKey)}
          {rule.text ? ` — “${rule.text}”` : ''}
          {rule.action === 'hold' && rule.company_preview ? ` (${t('admin.rules.company_preview_short')})` : ''}
        </dd>
        <dt>{t('admin.rules.position')}</dt>
        <dd>{rule.position}</dd>
      </dl>
      <div class="actions-row">
        <button type="button" onClick={() => setEditing(true)} aria-label={t('admin.rules.edit_label', { name: rule.name })}>
          {t('admin.edit')}
        </button>
        <button type="button" class="danger" onClick={onDelete} aria-label={t('admin.rules.delete_label', { name: rule.name })}>
          {t('common.delete')}
        </button>
      </div>
    </li>
  );
}

function RuleList() {
  const { client } = useSession();
  const load = useCallback(guarded(() => admin.rules.list(client)), [client]);
  const loaded = useLoaded(load);
  const [creating, setCreating] = useState(false);
  const [announcer, announce] = useAnnouncer();
  const rules = loaded.data ?? [];

  const remove = async (rule: Rule) => {
    if (!confirm(t('admin.rules.confirm_delete', { name: rule.name }))) return;
    try {
      await admin.rules.remove(client, rule.id);
      loaded.setData(rules.filter((r) => r.id !== rule.id));
      announce(t('admin.rules.deleted', { name: rule.name }));
    } catch (e) {
      announce(actionError(e), true);
    }
  };
  // Positions decide the order, so a saved rule may move: read the list again.
  const saved = (rule: Rule, created: boolean) => {
    announce(t(created ? 'admin.rules.created' : 'admin.rules.saved', { name: rule.name }));
    loaded.reload();
  };

  if (loaded.error) return <AdminError error={loaded.error} retry={loaded.reload} />;
  return (
    <>
      {announcer}
      {creating ? (
        <RuleForm
          rule={null}
          rules={rules}
          onCancel={() => setCreating(false)}
          onSaved={(rule) => {
            setCreating(false);
            saved(rule, true);
          }}
        />
      ) : (
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          {t('admin.rules.new')}
        </button>
      )}
      {loaded.loading && !loaded.data ? (
        <Loading />
      ) : rules.length === 0 ? (
        <Empty text={t('admin.rules.empty')} />
      ) : (
        <ol class="admin-list">
          {rules.map((rule) => (
            <RuleItem key={rule.id} rule={rule} rules={rules} onSaved={(r) => saved(r, false)} onDelete={() => void remove(rule)} />
          ))}
        </ol>
      )}
      <section aria-labelledby="rules-test" class="card">
        <h3 id="rules-test">{t('admin.test.heading')}</h3>
        <p class="help">{t('admin.test.intro')}</p>
        <RuleTest rules={rules} idPrefix="rules-test" />
      </section>
    </>
  );
}

export function Rules(_: { params: Params }) {
  return (
    <AdminPage title={t('admin.rules.title')} permission={PERMISSIONS.manageSettings}>
      <p class="lead">{t('admin.rules.intro')}</p>
      <section aria-labelledby="rules-list">
        <h2 id="rules-list">{t('admin.rules.list_heading')}</h2>
        <RuleList />
      </section>
      <section aria-labelledby="rules-org">
        <h2 id="rules-org">{t('admin.org.heading')}</h2>
        <Organisation />
      </section>
    </AdminPage>
  );
}
