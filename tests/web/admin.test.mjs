// Administration: blocking a domain, a rule that holds posts and the review
// queue that lets them out to a partner server, a report resolved with a
// note, the accounts list and the audit log, and what a role may not see.
// Alessandra (admin) and Riccardo (reviewer) work in the browser; Emma
// (employee) posts, Luca (colleague) reports and Paula (partner, on B)
// follows Emma through the API.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  A_URL,
  USERS,
  api,
  checkA11y,
  eventually,
  expectVisible,
  nameUsers,
  navigation,
  reloadUntil,
  screenshot,
  settled,
  signIn,
  unique,
  useBrowser,
} from './lib/browser.mjs';

const web = useBrowser();
const { admin, reviewer, employee, colleague, partner } = USERS;
/** Deliveries between the servers go through their queues: allow for retries. */
const DELIVERY = { timeout: 20_000 };
const RULES = '/api/v1/loggia/admin/rules';
let alessandra;
let emma;
let luca;
let paula;
/** Rules this file created, deleted in `after` whatever happens. */
const rulesMade = new Set();
/** Emma's account as B knows it, while Paula follows her (undone in `after`). */
let followedOnB = null;
/** The domain test 1 blocked (and unblocked), for the audit log test. */
let blockedDomain = null;

before(async () => {
  await nameUsers();
  [alessandra, emma, luca, paula] = await Promise.all([api(admin), api(employee), api(colleague), api(partner)]);
});

after(async () => {
  // A hold rule left behind would hold the next files' posts, and a remote
  // follower would change what Emma's composer says about her audience.
  if (rulesMade.size > 0) {
    const rules = await alessandra.get(RULES);
    for (const rule of rules.filter((r) => rulesMade.has(r.name))) await alessandra.del(`${RULES}/${rule.id}`);
  }
  if (followedOnB) await unfollowEmma();
});

/** Paula stops following Emma, and A hears of it. */
async function unfollowEmma() {
  await paula.post(`/api/v1/accounts/${followedOnB.id}/unfollow`);
  followedOnB = null;
  const emmaHere = await emma.me();
  await eventually(async () => {
    const followers = await emma.get(`/api/v1/accounts/${emmaHere.id}/followers`, { limit: 80 });
    assert.ok(!followers.some((a) => a.acct === partner.acct), 'Paula no longer follows Emma on A');
  }, DELIVERY);
}

/** A lower-case word unique to this run (keywords match whole words). */
const word = (prefix) => unique(prefix).replace(' ', '').toLowerCase();

/** Accepts every confirm() of the page, remembering its messages. */
function acceptDialogs(page) {
  const messages = [];
  page.on('dialog', (dialog) => {
    messages.push(dialog.message());
    void dialog.accept();
  });
  return messages;
}

/** Opens an admin page from the navigation and the admin home's card. */
async function openAdmin(page, card) {
  await navigation(page).getByRole('link', { name: 'Administration' }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: 'Administration' }));
  if (!card) return;
  await page.getByRole('main').getByRole('link', { name: new RegExp(`^${card}`) }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: card }));
}

/** Whether Paula's Home on B shows a post containing `token`. */
async function paulaSees(token) {
  const home = await paula.get('/api/v1/timelines/home', { limit: 40 });
  return home.some((s) => s.content.includes(token));
}

test('an admin blocks a domain and unblocks it', () =>
  web.withContext(async (context) => {
    const domain = `${word('blocked')}.example`;
    const page = await signIn(context, admin);
    const dialogs = acceptDialogs(page);
    await openAdmin(page, 'Federation');
    const blocks = page.getByRole('region', { name: 'Domain blocks' });

    await blocks.getByText('Block a server', { exact: true }).click();
    await blocks.getByLabel('Domain', { exact: true }).fill(domain);
    await blocks.getByLabel('Severity').selectOption('suspend');
    await blocks.getByLabel('Private comment (staff only)').fill('Web test block');
    await blocks.getByRole('button', { name: 'Block', exact: true }).click();
    await expectVisible(page.getByText(`Blocked ${domain}.`));
    assert.match(dialogs.at(-1) ?? '', new RegExp(`^Suspend ${domain.replace(/\./g, '\\.')}\\?`));

    const item = blocks.getByRole('article', { name: domain });
    await expectVisible(item);
    await expectVisible(item.getByText('Suspend', { exact: true }));
    await expectVisible(item.getByText('Private comment: Web test block'));
    const listed = (await alessandra.get('/api/v1/admin/domain_blocks', { limit: 200 })).find((b) => b.domain === domain);
    assert.ok(listed, `GET /api/v1/admin/domain_blocks lists ${domain}`);
    assert.equal(listed.severity, 'suspend');
    blockedDomain = domain;

    await settled(page);
    await checkA11y(page, 'federation page');
    // The picture: the form folded again, the page from its top.
    await blocks.getByText('Block a server', { exact: true }).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'admin-federation');

    await item.getByRole('button', { name: `Unblock ${domain}` }).click();
    await expectVisible(page.getByText(`Unblocked ${domain}.`));
    assert.match(dialogs.at(-1) ?? '', new RegExp(`^Unblock ${domain.replace(/\./g, '\\.')}\\?`));
    await item.waitFor({ state: 'detached' });
    const remaining = await alessandra.get('/api/v1/admin/domain_blocks', { limit: 200 });
    assert.ok(!remaining.some((b) => b.domain === domain), `${domain} is no longer blocked`);
  }));

test('a held post is approved by a reviewer and reaches the partner; another is rejected', async () => {
  const keyword = word('falcon');
  const ruleName = unique('Confidential project');
  const holdReason = unique('Mentions a confidential project');
  rulesMade.add(ruleName);

  // Paula (B) follows Emma (A); A accepts at once (Emma's account is not locked).
  const emmaOnB = await paula.lookup(employee.acct);
  await paula.post(`/api/v1/accounts/${emmaOnB.id}/follow`);
  followedOnB = emmaOnB;
  await eventually(async () => {
    const [relationship] = await paula.get('/api/v1/accounts/relationships', { id: [emmaOnB.id] });
    assert.equal(relationship.following, true, 'Paula follows Emma');
  }, DELIVERY);
  const emmaHere = await emma.me();
  const followers = await emma.get(`/api/v1/accounts/${emmaHere.id}/followers`, { limit: 80 });
  assert.ok(followers.some((a) => a.acct === partner.acct), 'A knows Paula as Emma’s follower');

  // Alessandra creates the rule on the Rules page and tries it.
  await web.withContext(async (context) => {
    const page = await signIn(context, admin);
    await openAdmin(page, 'Rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create rule' }) });
    await form.getByLabel('Name', { exact: true }).fill(ruleName);
    await form.getByLabel('Patterns', { exact: true }).fill(keyword);
    assert.equal(await form.getByLabel('Action').inputValue(), 'hold');
    await form.getByLabel('Reason (shown to reviewers and the author)').fill(holdReason);
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expectVisible(page.getByText(`Created the rule “${ruleName}”.`));
    const item = page.getByRole('listitem').filter({ hasText: ruleName });
    await expectVisible(item);
    await expectVisible(item.getByText(`Hold for a reviewer — “${holdReason}”`));
    await expectVisible(item.getByRole('button', { name: `Delete rule ${ruleName}` }));

    const tester = page.getByRole('region', { name: 'Test this text' });
    await tester.getByLabel('Text', { exact: true }).fill(`Next week we talk about ${keyword} with the partners.`);
    await tester.getByRole('button', { name: 'Test', exact: true }).click();
    const verdict = tester.getByRole('status');
    await expectVisible(verdict.getByText(`Held for review — ${holdReason}`));
    await expectVisible(verdict.getByRole('listitem').filter({ hasText: `${ruleName} — Held for review` }));

    await settled(page);
    await checkA11y(page, 'rules page');
    // The picture: the list of rules from its heading, the test below it.
    await page.getByRole('heading', { level: 2, name: 'Rules, in order' }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'admin-rules');
  });
  assert.ok((await alessandra.get(RULES)).some((r) => r.name === ruleName), 'the rule is saved');

  // Emma posts twice with the keyword: both wait for a reviewer.
  const approvedText = unique(`The ${keyword} launch moves to Thursday`);
  const rejectedText = unique(`Draft numbers for ${keyword}`);
  const approvedToken = approvedText.split(' ').at(-1);
  const rejectedToken = rejectedText.split(' ').at(-1);
  const held = await emma.postStatus(approvedText);
  const heldToo = await emma.postStatus(rejectedText);
  for (const status of [held, heldToo]) {
    assert.equal(status.loggia_review?.state, 'pending', `held: ${JSON.stringify(status.loggia_review)}`);
    assert.equal(status.loggia_review?.reason, holdReason);
  }
  // Nothing leaves while it waits (a few seconds of looking).
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    assert.equal(await paulaSees(approvedToken), false, 'a held post does not reach B');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  // Riccardo (reviewer) approves one and rejects the other.
  const rejectReason = unique('Please leave out the figures');
  await web.withContext(async (context) => {
    const page = await signIn(context, reviewer);
    // The reviewer heard of them: a notification leads to the queue.
    await navigation(page).getByRole('link', { name: 'Notifications' }).click();
    const request = page
      .getByRole('article')
      .filter({ hasText: `${employee.displayName}’s post is waiting for review` })
      .first();
    await reloadUntil(page, request);
    await request.getByRole('link', { name: 'Open the review queue' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Review queue' }));
    const approveItem = page.getByRole('article').filter({ hasText: approvedToken });
    const rejectItem = page.getByRole('article').filter({ hasText: rejectedToken });
    await expectVisible(approveItem);
    await expectVisible(rejectItem);
    await expectVisible(approveItem.getByText(`Held because: ${holdReason}`));
    await expectVisible(approveItem.getByText(employee.displayName));
    await settled(page);
    await checkA11y(page, 'review queue');
    await screenshot(page, 'admin-reviews');

    await approveItem.getByRole('button', { name: 'Approve', exact: true }).click();
    await expectVisible(page.getByText(`Approved the post by @${employee.username}.`));
    await approveItem.waitFor({ state: 'detached' });

    await rejectItem.getByRole('button', { name: 'Reject', exact: true }).click();
    await rejectItem.getByLabel('Reason (shown to the author)').fill(rejectReason);
    await rejectItem.getByRole('button', { name: 'Reject the post' }).click();
    await expectVisible(page.getByText(`Rejected the post by @${employee.username}.`));
    await rejectItem.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('main').getByText(approvedToken).count(), 0);
  });

  // The approved post goes out to Paula; Emma hears of both decisions.
  await eventually(async () => assert.ok(await paulaSees(approvedToken), 'the approved post reaches B'), DELIVERY);
  const published = await emma.get(`/api/v1/statuses/${held.id}`);
  assert.equal(published.loggia_review ?? null, null, 'a published post has no review state');
  await eventually(async () => {
    const notes = await emma.get('/api/v1/notifications', { types: ['loggia.review_approved'] });
    assert.ok(notes.some((n) => n.type === 'loggia.review_approved' && n.status?.id === held.id), 'approval notification');
  });
  const rejected = await emma.get(`/api/v1/statuses/${heldToo.id}`);
  assert.equal(rejected.loggia_review?.state, 'rejected');
  assert.equal(rejected.loggia_review?.reason, rejectReason);
  assert.equal(await paulaSees(rejectedToken), false, 'a rejected post does not reach B');

  // The rule and the follow go, so that the other files start as before.
  const rule = (await alessandra.get(RULES)).find((r) => r.name === ruleName);
  await alessandra.del(`${RULES}/${rule.id}`);
  rulesMade.delete(ruleName);
  await unfollowEmma();
});

test('a moderator resolves a report with a note', () =>
  web.withContext(async (context) => {
    const text = unique('Lunch is cancelled, says the canteen');
    const comment = unique('This is not true, please check');
    const note = unique('Checked with the canteen');
    const post = await emma.postStatus(text, { local_only: true });
    const emmaForLuca = await luca.lookup(employee.username);
    const report = await luca.post('/api/v1/reports', {
      account_id: emmaForLuca.id,
      status_ids: [post.id],
      comment,
      category: 'other',
    });

    const page = await signIn(context, admin);
    await openAdmin(page, 'Reports');
    const card = page.getByRole('article').filter({ hasText: comment });
    await expectVisible(card);
    await expectVisible(card.getByText(`by @${colleague.username}`, { exact: false }));
    await settled(page);
    await checkA11y(page, 'reports page');
    await screenshot(page, 'admin-reports');

    await card.getByRole('link', { name: `Report about @${employee.username}` }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: `Report #${report.id}` }));
    await expectVisible(page.getByText(comment));
    await expectVisible(page.getByRole('region', { name: 'Reported posts' }).getByText(text.split(' ').at(-1), { exact: false }));

    const notes = page.getByRole('region', { name: 'Moderators’ notes' });
    await notes.getByLabel('New note').fill(note);
    await notes.getByRole('button', { name: 'Add note' }).click();
    await expectVisible(notes.getByText('Note added.'));
    await expectVisible(notes.getByRole('listitem').filter({ hasText: note }));

    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expectVisible(page.getByText('The report is resolved.'));
    await expectVisible(page.getByRole('button', { name: 'Reopen' }));
    await expectVisible(page.getByText(`Resolved by @${admin.username}`));
    await settled(page);
    await checkA11y(page, 'report page');

    const resolved = await alessandra.get(`/api/v1/admin/reports/${report.id}`);
    assert.equal(resolved.action_taken, true);
    const saved = await alessandra.get(`/api/v1/loggia/admin/reports/${report.id}/notes`);
    assert.ok(saved.some((n) => n.content === note), 'the note is saved');
  }));

test('the accounts list finds a colleague and the audit log shows the domain block', () =>
  web.withContext(async (context) => {
    // Test 1 blocked a domain; alone, this test blocks one through the API.
    let domain = blockedDomain;
    if (!domain) {
      domain = `${word('audited')}.example`;
      const block = await alessandra.post('/api/v1/admin/domain_blocks', { domain, severity: 'noop' });
      await alessandra.del(`/api/v1/admin/domain_blocks/${block.id}`);
    }

    const page = await signIn(context, admin);
    await openAdmin(page, 'Accounts');
    const filters = page.getByRole('search', { name: 'Filter accounts' });
    await filters.getByLabel('User name').fill(colleague.username);
    await filters.getByRole('button', { name: 'Filter' }).click();
    const row = page.getByRole('article', { name: colleague.username });
    await expectVisible(row);
    await expectVisible(row.getByText(colleague.displayName));
    await expectVisible(row.getByText(colleague.email, { exact: false }));
    // Only the one user matches this filter.
    await eventually(async () => assert.equal(await page.getByRole('main').getByRole('article').count(), 1));
    await row.getByText(`Moderate @${colleague.username}`).click();
    for (const action of ['Silence', 'Suspend', 'Mark sensitive', 'Disable login', 'Save role and team']) {
      await expectVisible(row.getByRole('button', { name: action, exact: true }));
    }
    assert.equal(await row.getByLabel('Role').inputValue(), 'user');
    await settled(page);
    await checkA11y(page, 'accounts page');

    await page.getByRole('link', { name: '← Administration' }).click();
    await page.getByRole('main').getByRole('link', { name: /^Audit log/ }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Audit log' }));
    const auditFilters = page.getByRole('search', { name: 'Filter the audit log' });
    await auditFilters.getByLabel('Action (or a prefix ending in “.”)').fill('domain_block.');
    await auditFilters.getByLabel('Target id').fill(domain);
    await auditFilters.getByRole('button', { name: 'Filter' }).click();
    const created = page.getByRole('article', { name: `${admin.username} domain_block.created` });
    const deleted = page.getByRole('article', { name: `${admin.username} domain_block.deleted` });
    await expectVisible(created);
    await expectVisible(created.getByText('blocked a domain', { exact: false }));
    await expectVisible(created.getByText(`domain ${domain}`));
    await expectVisible(deleted.getByText('unblocked a domain', { exact: false }));
    await settled(page);
    await checkA11y(page, 'audit log');
  }));

test('an employee may not use the admin pages; a reviewer sees only the review queue', async () => {
  await web.withContext(async (context) => {
    const page = await signIn(context, employee);
    assert.equal(await navigation(page).getByRole('link', { name: 'Administration' }).count(), 0);
    await page.goto(`${A_URL}/web/admin/reviews`);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Review queue' }));
    await expectVisible(page.getByRole('alert').getByText('You do not have permission to use this page.', { exact: false }));
    assert.equal(await page.getByRole('button', { name: 'Approve', exact: true }).count(), 0);
    await settled(page);
    await checkA11y(page, 'forbidden review queue');
  });

  await web.withContext(async (context) => {
    const page = await signIn(context, reviewer);
    await openAdmin(page);
    const main = page.getByRole('main');
    await expectVisible(main.getByRole('link', { name: /^Review queue/ }));
    await eventually(async () => assert.equal(await main.getByRole('listitem').count(), 1, 'one card'));
    for (const other of ['Reports', 'Accounts', 'Federation', 'Rules', 'Hooks', 'Audit log']) {
      assert.equal(await main.getByRole('link', { name: new RegExp(`^${other}`) }).count(), 0, `no ${other} card`);
    }
    // The pages themselves say no too.
    await page.goto(`${A_URL}/web/admin/federation`);
    await expectVisible(page.getByRole('alert').getByText('You do not have permission to use this page.', { exact: false }));
  });
});

test('the administration home lists every page for an admin and passes axe', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, admin);
    await openAdmin(page);
    const main = page.getByRole('main');
    for (const card of ['Review queue', 'Reports', 'Accounts', 'Federation', 'Rules', 'Hooks', 'Audit log']) {
      await expectVisible(main.getByRole('link', { name: new RegExp(`^${card}`) }));
    }
    await settled(page);
    await checkA11y(page, 'administration home');
  }));
