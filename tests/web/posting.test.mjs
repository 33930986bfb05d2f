// Writing from the web app: a post in each audience from the composer on
// Home, a reply from the thread page, editing and deleting, an image with
// its description, and a post a moderation rule holds for review.
// Emma (employee) writes; Luca (colleague) and Alessandra (admin) read.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  PHONE,
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
const { admin, employee, colleague } = USERS;
/** A small PNG the server ships (the default avatar). */
const IMAGE = fileURLToPath(new URL('../../src/web/assets/missing-avatar.png', import.meta.url));
let emma;
let luca;
let alessandra;

before(async () => {
  await nameUsers();
  [emma, luca, alessandra] = await Promise.all([api(employee), api(colleague), api(admin)]);
});

/** The feed of Home (the list under the composer). */
const homeFeed = (page) => page.getByRole('feed', { name: 'Home' });

/** The post showing `text` in `scope` (a page or a part of it). */
const postWith = (scope, text) => scope.getByRole('article').filter({ hasText: text }).first();

/** The id of the post an article shows, from its "Reply" link (`/web/statuses/ID?reply=1`). */
async function statusIdOf(article) {
  const href = await article.getByRole('link', { name: /^Reply\b/ }).first().getAttribute('href');
  const id = /\/web\/statuses\/([^/?]+)/.exec(href ?? '')?.[1];
  assert.ok(id, `no post link in the article (${href})`);
  return decodeURIComponent(id);
}

/** The composer on Home, with its parts found by their labels. */
function homeComposer(page) {
  const form = page.getByRole('form', { name: 'New post' });
  return {
    form,
    text: form.getByLabel('What do you want to share?'),
    audience: form.getByLabel('Audience', { exact: true }),
    submit: form.getByRole('button', { name: 'Post', exact: true }),
  };
}

const AUDIENCES = [
  {
    audience: 'company',
    badge: 'Company only',
    reach: /^Only people at .+ can see this$/,
    expect: { visibility: 'public', local_only: true },
  },
  {
    audience: 'public',
    badge: 'Public',
    reach: /^Leaves the company: people on other servers will see this$/,
    expect: { visibility: 'public', local_only: false },
  },
  {
    audience: 'followers',
    badge: 'Followers',
    reach: /^Stays at .+: only your followers here can see this$/,
    expect: { visibility: 'private', local_only: false },
  },
  {
    audience: 'direct',
    badge: 'Direct',
    reach: /^Stays at .+: only the people you mention can see this$/,
    expect: { visibility: 'direct', local_only: false },
    mention: true,
  },
];

test('an employee posts in each audience from the composer on Home', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, employee);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Home' }));
    await settled(page);
    const composer = homeComposer(page);
    const posted = {};
    for (const { audience, badge, reach, expect, mention } of AUDIENCES) {
      const text = unique(`Audience ${audience}`);
      // The mention comes first so that the caret (at the end) is not in it:
      // no suggestions are open when the post is sent.
      await composer.text.fill(mention ? `@${colleague.username} ${text}` : text);
      await composer.audience.selectOption(audience);
      await expectVisible(composer.form.getByText(reach));
      await composer.submit.click();
      await expectVisible(composer.form.getByRole('status').getByText('Posted.'));
      assert.equal(await composer.text.inputValue(), '', 'the composer empties after posting');

      const top = homeFeed(page).getByRole('article').first();
      await expectVisible(top.getByText(text));
      await expectVisible(top.getByText(badge, { exact: true }));
      const id = await statusIdOf(top);
      const status = await emma.get(`/api/v1/statuses/${id}`);
      assert.equal(status.visibility, expect.visibility, `${audience}: visibility`);
      assert.equal(status.local_only, expect.local_only, `${audience}: local_only`);
      assert.ok(status.content.includes(text.split(' ')[1]), `${audience}: the API has the text`);
      posted[audience] = { id, text, status };
    }

    // The company-only post is on Luca's Company timeline.
    await web.withContext(async (lucaContext) => {
      const lucaPage = await signIn(lucaContext, colleague);
      await navigation(lucaPage).getByRole('link', { name: 'Company' }).click();
      const post = postWith(lucaPage, posted.company.text);
      await reloadUntil(lucaPage, post);
      await expectVisible(post.getByText('Company only', { exact: true }));
    });

    // The direct post reaches Luca, whom it mentions, and nobody else.
    const direct = posted.direct;
    assert.deepEqual(
      direct.status.mentions.map((m) => m.username),
      [colleague.username],
      'the direct post mentions Luca',
    );
    assert.equal((await luca.get(`/api/v1/statuses/${direct.id}`)).id, direct.id);
    assert.equal((await alessandra.request('GET', `/api/v1/statuses/${direct.id}`)).status, 404);
  }));

test('a reply from the thread page starts with the mention and appears in the thread', () =>
  web.withContext(async (context) => {
    const text = unique('Who is up for lunch');
    const parent = await luca.postStatus(text, { local_only: true });
    const page = await signIn(context, employee);
    await navigation(page).getByRole('link', { name: 'Company' }).click();
    const post = postWith(page, text);
    await reloadUntil(page, post);
    await post.getByRole('link', { name: /^Reply\b/ }).click();

    await expectVisible(page.getByRole('heading', { level: 1, name: 'Post' }));
    const form = page.getByRole('form', { name: 'Write a reply' });
    const box = form.getByLabel('Your reply');
    await expectVisible(box);
    assert.equal(await box.inputValue(), `@${colleague.username} `);
    await eventually(async () => assert.ok(await box.evaluate((node) => node === document.activeElement), 'the reply box has the focus'));
    // The reply keeps the parent's company-only audience.
    assert.equal(await form.getByLabel('Audience', { exact: true }).inputValue(), 'company');

    const answer = unique('Count me in');
    await box.pressSequentially(answer);
    await form.getByRole('button', { name: 'Reply', exact: true }).click();
    const replies = page.getByRole('region', { name: 'Replies' });
    const reply = postWith(replies, answer);
    await expectVisible(reply);
    await expectVisible(reply.getByText(employee.displayName));
    assert.equal(await box.inputValue(), `@${colleague.username} `, 'the reply box starts over');

    const context_ = await luca.get(`/api/v1/statuses/${parent.id}/context`);
    const stored = context_.descendants.find((s) => s.content.includes(answer.split(' ').at(-1)));
    assert.ok(stored, 'the reply is in the thread for Luca too');
    assert.equal(stored.in_reply_to_id, parent.id);
    assert.equal(stored.local_only, true);
    assert.deepEqual(stored.mentions.map((m) => m.username), [colleague.username]);

    await settled(page);
    await checkA11y(page, 'thread page');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'thread');
  }));

test('an employee edits a post and deletes another from the timeline', () =>
  web.withContext(async (context) => {
    const original = unique('Meeting at 3');
    const edited = unique('Meeting moved to 4');
    const doomed = unique('Typo post');
    const toEdit = await emma.postStatus(original, { local_only: true });
    const toDelete = await emma.postStatus(doomed, { local_only: true });
    const page = await signIn(context, employee);

    // Edit: the Edit link opens the post's text in the composer.
    const post = postWith(homeFeed(page), original);
    await reloadUntil(page, post);
    await post.getByRole('link', { name: 'Edit', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Edit post' }));
    const form = page.getByRole('form', { name: 'Edit post' });
    const box = form.getByLabel('Text of the post');
    await eventually(async () => assert.equal(await box.inputValue(), original));
    await expectVisible(form.getByText(/^Audience: Company only/));
    await box.fill(edited);
    await form.getByRole('button', { name: 'Save changes' }).click();
    // Back on the post's page, which shows the new text as edited.
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Post' }));
    const shown = postWith(page, edited);
    await expectVisible(shown);
    await expectVisible(shown.getByText('(edited)'));
    const status = await emma.get(`/api/v1/statuses/${toEdit.id}`);
    assert.ok(status.content.includes(edited.split(' ').at(-1)), `the API has the new text: ${status.content}`);
    assert.ok(status.edited_at, 'edited_at is set');
    assert.equal(status.local_only, true, 'an edit keeps the audience');

    // Delete: confirmed in the browser's dialog.
    await navigation(page).getByRole('link', { name: 'Home' }).click();
    const victim = postWith(homeFeed(page), doomed);
    await reloadUntil(page, victim);
    const dialogs = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await victim.getByRole('button', { name: 'Delete', exact: true }).click();
    await victim.waitFor({ state: 'detached' });
    assert.deepEqual(dialogs, ['Delete this post? This cannot be undone.']);
    await eventually(async () =>
      assert.equal((await emma.request('GET', `/api/v1/statuses/${toDelete.id}`)).status, 404),
    );
  }));

test('a post deleted right after posting stays gone when the next one is posted', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, employee);
    await settled(page);
    const composer = homeComposer(page);
    const first = unique('Posted too soon');
    const second = unique('Posted on purpose');
    page.on('dialog', (dialog) => void dialog.accept());

    await composer.text.fill(first);
    await composer.audience.selectOption('company');
    await composer.submit.click();
    const mistake = postWith(homeFeed(page), first);
    await expectVisible(mistake);
    const id = await statusIdOf(mistake);
    await mistake.getByRole('button', { name: 'Delete', exact: true }).click();
    await mistake.waitFor({ state: 'detached' });

    await composer.text.fill(second);
    await composer.submit.click();
    await expectVisible(homeFeed(page).getByRole('article').first().getByText(second));
    assert.equal(await postWith(page, first).count(), 0, 'the deleted post does not come back');
    assert.equal((await emma.request('GET', `/api/v1/statuses/${id}`)).status, 404);
  }));

test('an image posted with a description shows it as alt text', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, employee);
    await settled(page);
    const composer = homeComposer(page);
    const text = unique('The new office');
    const alt = unique('A small grey silhouette of a person on a light background');
    await composer.text.fill(text);
    await composer.audience.selectOption('company');
    await composer.form.getByLabel('Add images').setInputFiles(IMAGE);
    const description = composer.form.getByLabel('Description (alt text)');
    await expectVisible(description);
    await expectVisible(composer.form.getByText('No description yet'));
    await description.fill(alt);
    // Posting waits until the upload is done.
    await eventually(async () => assert.equal(await composer.submit.isEnabled(), true));
    await checkA11y(page, 'home with the composer and an image');

    await composer.submit.click();
    await expectVisible(composer.form.getByRole('status').getByText('Posted.'));
    const top = homeFeed(page).getByRole('article').first();
    await expectVisible(top.getByText(text));
    await expectVisible(top.getByRole('img', { name: alt, exact: true }));
    const status = await emma.get(`/api/v1/statuses/${await statusIdOf(top)}`);
    assert.equal(status.media_attachments.length, 1);
    assert.equal(status.media_attachments[0].type, 'image');
    assert.equal(status.media_attachments[0].description, alt);
  }));

test('a post a moderation rule holds shows "waiting for review" to its author', () =>
  web.withContext(async (context) => {
    const keyword = unique('heldword').replace(' ', '');
    const rule = await alessandra.post('/api/v1/loggia/admin/rules', {
      name: `Web test hold ${keyword}`,
      direction: 'outbound',
      match: 'keyword',
      patterns: [keyword],
      action: 'hold',
      text: 'Mentions a test keyword',
      company_preview: false,
    });
    try {
      const page = await signIn(context, employee);
      await settled(page);
      const composer = homeComposer(page);
      const text = `Announcing ${keyword} to the world`;
      await composer.text.fill(text);
      await composer.audience.selectOption('public');
      await composer.submit.click();
      await expectVisible(composer.form.getByText('Your post is waiting for review'));
      const top = homeFeed(page).getByRole('article').first();
      await expectVisible(top.getByText(text));
      await expectVisible(top.getByRole('note').getByText(/^Waiting for review/));

      const status = await emma.get(`/api/v1/statuses/${await statusIdOf(top)}`);
      assert.equal(status.loggia_review?.state, 'pending');
      // Luca does not see it meanwhile (no company preview).
      assert.equal((await luca.request('GET', `/api/v1/statuses/${status.id}`)).status, 404);

      // Still marked after a reload, from what the server says.
      const post = postWith(homeFeed(page), text);
      await page.reload();
      await expectVisible(post.getByRole('note').getByText(/^Waiting for review/));
    } finally {
      await alessandra.del(`/api/v1/loggia/admin/rules/${rule.id}`);
    }
  }));

test('the compose page on a phone', () =>
  web.withContext({ viewport: PHONE }, async (context) => {
    const page = await signIn(context, employee);
    // On a phone, Home offers a "New post" link instead of the composer.
    await page.getByRole('link', { name: 'New post' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'New post' }));
    assert.equal(new URL(page.url()).pathname, '/web/compose');
    const form = page.getByRole('form', { name: 'New post' });
    const text = unique('Posting from my phone');
    await form.getByLabel('What do you want to share?').fill(`${text} #officelife`);
    await form.getByLabel('Audience', { exact: true }).selectOption('company');
    await expectVisible(form.getByText(/^Only people at .+ can see this$/));
    await checkA11y(page, 'compose page on a phone');
    await screenshot(page, 'compose');

    // Posting opens the new post's page.
    await form.getByRole('button', { name: 'Post', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Post' }));
    await expectVisible(postWith(page, text));
    assert.match(new URL(page.url()).pathname, /^\/web\/statuses\/[^/]+$/);
  }));

// A readable PNG is needed above; fail early with a clear message if it moved.
assert.ok(readFileSync(IMAGE).subarray(1, 4).toString() === 'PNG', `${IMAGE} is not a PNG`);
