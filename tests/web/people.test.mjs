// Other people and oneself: notifications, search (people and hashtags),
// profile pages with following and followers, and the settings (profile and
// interface language). Emma (employee) uses the app; Luca (colleague) acts
// through the API. What a test changes on Emma's account it puts back.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  USERS,
  api,
  checkA11y,
  eventually,
  expectAttribute,
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
const { employee, colleague } = USERS;
let emma;
let luca;
let lucaAccount;

before(async () => {
  await nameUsers();
  [emma, luca] = await Promise.all([api(employee), api(colleague)]);
  lucaAccount = await emma.lookup(colleague.username);
});

/** Whether Emma follows Luca, as the server says. */
async function following() {
  const [relationship] = await emma.get('/api/v1/accounts/relationships', { id: [lucaAccount.id] });
  return relationship.following;
}

/** The last word of a `unique()` text: what the server's HTML surely keeps intact. */
const tail = (text) => text.split(' ').at(-1);

test('notifications show a favourite and a mention as sentences, and the Mentions filter', () =>
  web.withContext(async (context) => {
    const liked = unique('Our team shipped the release');
    const mention = unique('thanks for the help');
    const mine = await emma.postStatus(liked, { local_only: true });
    await luca.post(`/api/v1/statuses/${mine.id}/favourite`);
    await luca.postStatus(`@${employee.username} ${mention}`, { local_only: true });

    const page = await signIn(context, employee);
    await navigation(page).getByRole('link', { name: 'Notifications' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Notifications' }));
    const favourited = page.getByRole('article', { name: `${colleague.displayName} favourited your post` }).filter({ hasText: tail(liked) });
    const mentioned = page.getByRole('article', { name: `${colleague.displayName} mentioned you` }).filter({ hasText: tail(mention) });
    await reloadUntil(page, mentioned);
    await expectVisible(favourited);
    // Sentences naming Luca, his name a link to his profile.
    await expectVisible(favourited.getByText(/favourited your post$/));
    await expectVisible(favourited.getByRole('link', { name: colleague.displayName, exact: true }));
    await expectVisible(mentioned.getByText(/mentioned you$/));
    await expectVisible(favourited.getByRole('link', { name: new RegExp(tail(liked)) }));
    await settled(page);
    await checkA11y(page, 'notifications');
    await screenshot(page, 'notifications');

    const filters = page.getByRole('navigation', { name: 'Show notifications of one kind' });
    await filters.getByRole('link', { name: 'Mentions', exact: true }).click();
    await expectAttribute(filters.getByRole('link', { name: 'Mentions', exact: true }), 'aria-current', 'page');
    assert.equal(new URL(page.url()).searchParams.get('filter'), 'mentions');
    await expectVisible(mentioned);
    await settled(page);
    assert.equal(await page.getByRole('article', { name: /favourited your post$/ }).count(), 0);
    const names = await page.getByRole('feed').getByRole('article').evaluateAll((nodes) =>
      nodes.filter((n) => n.classList.contains('notification')).map((n) => n.getAttribute('aria-label')),
    );
    assert.ok(names.length > 0 && names.every((name) => name.endsWith('mentioned you')), `only mentions: ${names}`);
  }));

test('search finds a colleague and a hashtag', () =>
  web.withContext(async (context) => {
    const tag = `webtag${tail(unique())}`;
    const tagged = unique('Cake in the kitchen');
    await luca.postStatus(`${tagged} #${tag}`, { local_only: true });

    const page = await signIn(context, employee);
    await navigation(page).getByRole('link', { name: 'Search' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Search' }));
    const form = page.getByRole('search');
    await form.getByLabel('Search for people, hashtags and posts').fill(colleague.username);
    await form.getByRole('button', { name: 'Search', exact: true }).click();
    const people = page.getByRole('region', { name: 'People' });
    const row = people.getByRole('article', { name: colleague.displayName });
    await expectVisible(row);
    assert.equal(new URL(page.url()).searchParams.get('q'), colleague.username);
    await settled(page);
    await checkA11y(page, 'search results');
    await screenshot(page, 'search');

    await row.getByRole('link', { name: new RegExp(colleague.displayName) }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: colleague.displayName }));
    await expectVisible(page.getByText(`@${colleague.username}@`));

    // A hashtag: the tag, then its timeline with Luca's post.
    await navigation(page).getByRole('link', { name: 'Search' }).click();
    await form.getByLabel('Search for people, hashtags and posts').fill(`#${tag}`);
    await form.getByRole('button', { name: 'Search', exact: true }).click();
    const tags = page.getByRole('region', { name: 'Hashtags' });
    await expectVisible(tags.getByRole('link', { name: `#${tag}`, exact: true }));
    await tags.getByRole('link', { name: `#${tag}`, exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: `#${tag}` }));
    assert.equal(new URL(page.url()).pathname, `/web/tags/${tag}`);
    await expectVisible(page.getByRole('feed', { name: `Posts tagged #${tag}` }).getByRole('article').filter({ hasText: tail(tagged) }));
  }));

test('profiles: one’s own offers "Edit profile", a colleague’s Follow and Unfollow', () =>
  web.withContext(async (context) => {
    const wasFollowing = await following();
    if (wasFollowing) await emma.post(`/api/v1/accounts/${lucaAccount.id}/unfollow`);
    try {
      const page = await signIn(context, employee);
      await navigation(page).getByRole('link', { name: 'Profile' }).click();
      await expectVisible(page.getByRole('heading', { level: 1, name: employee.displayName }));
      await expectVisible(page.getByRole('link', { name: 'Edit profile' }));
      assert.equal(await page.getByRole('button', { name: /^Follow/ }).count(), 0);

      await page.goto(`${employee.url}/web/@${colleague.username}`);
      await expectVisible(page.getByRole('heading', { level: 1, name: colleague.displayName }));
      // "Follow back" if Luca happens to follow Emma already.
      const follow = page.getByRole('button', { name: new RegExp(`^Follow (back )?${colleague.displayName}$`) });
      const unfollow = page.getByRole('button', { name: `Unfollow ${colleague.displayName}` });
      await expectVisible(follow);
      assert.equal(await page.getByRole('link', { name: 'Edit profile' }).count(), 0);

      await follow.click();
      await expectVisible(unfollow);
      assert.equal(await unfollow.textContent(), 'Unfollow');
      await eventually(async () => assert.equal(await following(), true));
      await settled(page);
      await checkA11y(page, 'profile');
      await screenshot(page, 'profile');

      // Emma is among Luca's followers.
      await page.getByRole('link', { name: /^\d+ followers?$/ }).click();
      await expectVisible(page.getByRole('heading', { level: 1, name: `Followers of ${colleague.displayName}` }));
      await expectVisible(page.getByRole('feed').getByRole('article', { name: employee.displayName }));
      await page.getByRole('link', { name: `Back to ${colleague.displayName}` }).click();

      await unfollow.click();
      await expectVisible(follow);
      await eventually(async () => assert.equal(await following(), false));
    } finally {
      const now = await following();
      if (now !== wasFollowing) await emma.post(`/api/v1/accounts/${lucaAccount.id}/${wasFollowing ? 'follow' : 'unfollow'}`);
    }
  }));

test('settings: display name and bio, and the interface in Italian', () =>
  web.withContext(async (context) => {
    const original = await emma.me();
    const name = `Emma R. ${tail(unique())}`.slice(0, 30);
    const bio = unique('Working on the payroll system. Ask me about');
    try {
      const page = await signIn(context, employee);
      await navigation(page).getByRole('link', { name: 'Settings' }).click();
      await expectVisible(page.getByRole('heading', { level: 1, name: 'Settings' }));
      const profile = page.getByRole('form', { name: 'Profile' });
      await eventually(async () => assert.equal(await profile.getByLabel('Display name').inputValue(), employee.displayName));
      await profile.getByLabel('Display name').fill(name);
      await profile.getByLabel('Bio').fill(bio);
      await profile.getByRole('button', { name: 'Save', exact: true }).click();
      await expectVisible(profile.getByRole('status').getByText('Saved', { exact: true }));
      const me = await emma.me();
      assert.equal(me.display_name, name);
      assert.equal(me.source.note, bio);
      await settled(page);
      await checkA11y(page, 'settings');
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'settings');

      await page.getByRole('link', { name: 'View your profile' }).click();
      await expectVisible(page.getByRole('heading', { level: 1, name }));
      await expectVisible(page.getByText(tail(bio)));

      // Italian: the whole app switches once the preference is saved.
      await navigation(page).getByRole('link', { name: 'Settings' }).click();
      const preferences = page.getByRole('form', { name: 'Preferences' });
      await preferences.getByLabel('Language').selectOption('it');
      await preferences.getByRole('button', { name: 'Save', exact: true }).click();
      await expectVisible(navigation(page).getByRole('link', { name: 'Notifiche' }));
      await expectVisible(page.getByRole('heading', { level: 1, name: 'Impostazioni' }));
      await expectAttribute(page.locator('html'), 'lang', 'it');
      assert.equal((await emma.me()).source.language, 'it');
      // It is the account's choice: it holds after a reload.
      await page.reload();
      await expectVisible(navigation(page).getByRole('link', { name: 'Notifiche' }));

      // And back to English, in Italian.
      const preferenze = page.getByRole('form', { name: 'Preferenze' });
      await preferenze.getByLabel('Lingua').selectOption('en');
      await preferenze.getByRole('button', { name: 'Salva', exact: true }).click();
      await expectVisible(navigation(page).getByRole('link', { name: 'Notifications' }));
      await expectAttribute(page.locator('html'), 'lang', 'en');
    } finally {
      await emma.patch('/api/v1/accounts/update_credentials', {
        display_name: original.display_name,
        note: original.source.note ?? '',
        // An empty language clears it: the app then follows the browser again.
        source: { language: original.source.language ?? '' },
      });
    }
  }));

test('settings: a new password signs every other app out', () =>
  web.withContext(async (context) => {
    // Marco's own account; his password is put back at the end, since the
    // other files sign everyone in with the original one.
    const { mover } = USERS;
    const next = `New ${unique('secret')}`;
    try {
      const otherApp = await api(mover);
      const page = await signIn(context, mover);
      await navigation(page).getByRole('link', { name: 'Settings' }).click();
      const form = page.getByRole('form', { name: 'Password' });
      const save = form.getByRole('button', { name: 'Save', exact: true });

      await form.getByLabel('Current password').fill('not my password');
      await form.getByLabel('New password (at least 8 characters)').fill(next);
      await form.getByLabel('New password again').fill(next);
      await save.click();
      await expectVisible(form.getByText('The current password is wrong'));

      await form.getByLabel('Current password').fill(mover.password);
      await form.getByLabel('New password again').fill(`${next}!`);
      await save.click();
      await expectVisible(form.getByText('The two new passwords differ.'));
      assert.equal((await otherApp.me()).username, mover.username);

      await form.getByLabel('New password again').fill(next);
      await save.click();
      await expectVisible(form.getByText('Password changed. Other apps and browsers are signed out.'));
      await assert.rejects(otherApp.me(), (e) => e.status === 401);
      // This browser stays signed in, and the new password is the one now.
      await page.reload();
      await expectVisible(page.getByRole('heading', { level: 1, name: 'Settings' }));
      await assert.rejects(api(mover), (e) => e.status === 400 || e.status === 401);
      const again = await api(mover.url, mover.username, next);
      assert.equal((await again.me()).username, mover.username);
    } finally {
      const changed = await api(mover.url, mover.username, next).catch(() => null);
      if (changed) {
        await changed.post('/api/v1/loggia/password', { current_password: next, password: mover.password });
      }
    }
  }));
