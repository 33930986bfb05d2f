// Across servers: Emma (employee, on A) finds Paula (partner, on B) by her
// address, follows her from the web app, reads her public post on Home and
// answers it; the answer reaches Paula on B as a mention.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  USERS,
  api,
  eventually,
  expectVisible,
  nameUsers,
  reloadUntil,
  screenshot,
  settled,
  signIn,
  unique,
  useBrowser,
} from './lib/browser.mjs';

const web = useBrowser();
const { employee, partner } = USERS;
/** Deliveries between the servers go through their queues: allow for retries. */
const DELIVERY = { timeout: 20_000 };
let emma;
let paula;

before(async () => {
  await nameUsers();
  [emma, paula] = await Promise.all([api(employee), api(partner)]);
});

/** Paula's full address, `name@host:port` (run.sh already gives it in full). */
const paulaAddress = () => {
  const host = new URL(partner.url).host;
  return partner.acct.includes('@') ? partner.acct : `${partner.username}@${host}`;
};

test('an employee follows a partner on another server and answers her post', () =>
  web.withContext(async (context) => {
    const address = paulaAddress();
    assert.match(address, /^[^@]+@[^@]+$/, `a full address: ${address}`);
    const page = await signIn(context, employee);
    try {
      // Search by the full address: A fetches the account from B.
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Search' }).click();
      const form = page.getByRole('search');
      await form.getByLabel('Search for people, hashtags and posts').fill(`@${address}`);
      await form.getByRole('button', { name: 'Search', exact: true }).click();
      const row = page.getByRole('region', { name: 'People' }).getByRole('article').filter({ hasText: `@${address}` });
      await expectVisible(row, { timeout: 15_000 });

      // Follow: "Requested" until B's Accept arrives, then "Unfollow".
      await row.getByRole('button', { name: /^Follow / }).click();
      const unfollow = row.getByRole('button', { name: /^Unfollow / });
      await expectVisible(unfollow.or(row.getByRole('button', { name: /^Requested: / })));
      await reloadUntil(page, unfollow, DELIVERY);
      const paulaHere = await emma.lookup(address);
      const [relationship] = await emma.get('/api/v1/accounts/relationships', { id: [paulaHere.id] });
      assert.equal(relationship.following, true);
      // B knows Emma as a follower (so public posts are delivered to A).
      const me = await paula.me();
      await eventually(async () => {
        const followers = await paula.get(`/api/v1/accounts/${me.id}/followers`);
        assert.ok(followers.some((a) => a.acct.startsWith(`${employee.username}@`)), 'Emma follows Paula on B');
      }, DELIVERY);

      // Paula posts on B; it reaches Emma's Home on A.
      const text = unique('Hello from the partner company');
      const original = await paula.postStatus(text);
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Home' }).click();
      const post = page.getByRole('feed', { name: 'Home' }).getByRole('article').filter({ hasText: text.split(' ').at(-1) }).first();
      await reloadUntil(page, post, DELIVERY);
      await expectVisible(post.getByText(`@${address}`));
      await expectVisible(post.getByText('Public', { exact: true }));
      await settled(page);
      await screenshot(page, 'federated-home');

      // Emma answers from the thread page; the answer leaves the company.
      await post.getByRole('link', { name: /^Reply\b/ }).click();
      const reply = page.getByRole('form', { name: 'Write a reply' });
      const box = reply.getByLabel('Your reply');
      await expectVisible(box);
      assert.equal(await box.inputValue(), `@${address} `);
      await reply.getByLabel('Audience', { exact: true }).selectOption('public');
      await expectVisible(reply.getByText(/^Leaves the company/));
      const answer = unique('Welcome aboard');
      await box.pressSequentially(answer);
      await reply.getByRole('button', { name: 'Reply', exact: true }).click();
      await expectVisible(page.getByRole('region', { name: 'Replies' }).getByRole('article').filter({ hasText: answer }));

      // Paula gets the mention on B, in reply to her post.
      const mention = await eventually(async () => {
        const notifications = await paula.get('/api/v1/notifications', { types: ['mention'], limit: 40 });
        const found = notifications.find((n) => n.status?.content.includes(answer.split(' ').at(-1)));
        assert.ok(found, 'the mention arrived on B');
        return found;
      }, DELIVERY);
      assert.equal(mention.account.acct, `${employee.username}@${new URL(employee.url).host}`);
      assert.equal(mention.status.in_reply_to_id, original.id);
    } finally {
      // Leave the two accounts as they were, for other runs of this file.
      const paulaHere = await emma.lookup(address).catch(() => null);
      if (paulaHere) await emma.post(`/api/v1/accounts/${paulaHere.id}/unfollow`).catch(() => undefined);
    }
  }));
