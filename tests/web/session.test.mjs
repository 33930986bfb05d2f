// Visiting, signing in and out, the timelines and the actions on a post.
// Emma (employee) follows Luca (colleague); Luca posts through the API.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  A_URL,
  USERS,
  api,
  checkA11y,
  client,
  eventually,
  expectAttribute,
  expectPressed,
  expectVisible,
  nameUsers,
  navigation,
  reloadUntil,
  screenshot,
  settled,
  signIn,
  tokenOf,
  unique,
  useBrowser,
} from './lib/browser.mjs';

const web = useBrowser();
const { employee, colleague } = USERS;
let emma;
let luca;

before(async () => {
  await nameUsers();
  [emma, luca] = await Promise.all([api(employee), api(colleague)]);
  const lucaAccount = await emma.lookup(colleague.username);
  await emma.post(`/api/v1/accounts/${lucaAccount.id}/follow`);
  await luca.postStatus('Good morning! The coffee machine on the third floor works again.', { local_only: true });
});

/** The post showing `text`, in the list on the page. */
const postWith = (page, text) => page.getByRole('article').filter({ hasText: text }).first();

test('a visitor sees the welcome page with "Sign in"', () =>
  web.withContext(async (context) => {
    const page = await context.newPage();
    await page.goto(`${A_URL}/`);
    await expectVisible(page.getByRole('button', { name: 'Sign in' }));
    await expectVisible(page.getByRole('heading', { level: 1, name: /^Welcome to / }));
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await checkA11y(page, 'welcome page');
    await screenshot(page, 'welcome');
  }));

test('a visitor whose browser speaks Italian sees the welcome page in Italian', () =>
  web.withContext({ locale: 'it-IT' }, async (context) => {
    const page = await context.newPage();
    await page.goto(`${A_URL}/`);
    await expectVisible(page.getByRole('button', { name: 'Accedi' }));
    await expectVisible(page.getByRole('heading', { level: 1, name: /^Benvenuto su / }));
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'it');
    await checkA11y(page, 'Italian welcome page');
  }));

test('an employee signs in and lands on Home with the navigation', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, employee);
    assert.ok(['/', '/web/home'].includes(new URL(page.url()).pathname), `signed in at ${page.url()}`);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Home' }));
    await expectAttribute(navigation(page).getByRole('link', { name: 'Home' }), 'aria-current', 'page');
    // Luca's post reaches Emma's Home because she follows him.
    const post = postWith(page, 'coffee machine on the third floor');
    await reloadUntil(page, post);
    await expectVisible(post.getByText(colleague.displayName));
    await settled(page);
    await checkA11y(page, 'home page');
    await screenshot(page, 'home');
  }));

test('the Company timeline shows a colleague’s company-only post', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, employee);
    await navigation(page).getByRole('link', { name: 'Company' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Company' }));
    assert.equal(new URL(page.url()).pathname, '/web/local');
    await settled(page);

    const text = unique('Company-only news');
    const posted = await luca.postStatus(text, { local_only: true });
    assert.equal(posted.local_only, true);
    const post = postWith(page, text);
    await reloadUntil(page, post);
    await expectVisible(post.getByText('Company only'));
  }));

test('new posts arrive over the streaming API: "Show 1 new post", and a deletion removes the post', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, employee);
    await settled(page);
    // A fresh page load, watched: its WebSocket and what travels on it.
    const frames = [];
    const socket = page.waitForEvent('websocket', (ws) => ws.url().includes('/api/v1/streaming'));
    await page.reload();
    const ws = await socket;
    ws.on('framesent', (f) => frames.push(`> ${f.payload}`));
    ws.on('framereceived', (f) => frames.push(`< ${f.payload}`));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Home' }));
    await eventually(() => assert.ok(frames.some((f) => f.startsWith('>') && f.includes('"user"')), frames.join('\n')));
    // From now on polling cannot bring anything: only the stream can.
    await page.route(/\/api\/v1\/timelines\/home\?.*(min_id|since_id)=/, (route) => route.abort('internetdisconnected'));

    const button = page.getByRole('button', { name: /^Show \d+ new posts?$/ });
    // The subscription is live a moment after the socket opens; post again
    // if the first post came before it.
    let posted;
    let text;
    for (let attempt = 0; attempt < 5 && !(await button.isVisible()); attempt++) {
      text = unique('Streamed news');
      posted = await luca.postStatus(text, { local_only: true });
      await button.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
    }
    await expectVisible(button);
    assert.ok(frames.some((f) => f.startsWith('<') && f.includes('"event":"update"')), 'an update came over the socket');
    await button.click();
    const post = postWith(page, text);
    await expectVisible(post);

    await luca.del(`/api/v1/statuses/${posted.id}`);
    await eventually(async () => assert.equal(await post.count(), 0, 'the deleted post left the page'));
  }));

test('favourite and boost toggle on a post, and the server agrees', () =>
  web.withContext(async (context) => {
    const text = unique('Please boost this');
    const posted = await luca.postStatus(text, { local_only: true });
    const page = await signIn(context, employee);
    await navigation(page).getByRole('link', { name: 'Company' }).click();
    const post = postWith(page, text);
    await reloadUntil(page, post);
    const state = async () => {
      const status = await emma.get(`/api/v1/statuses/${posted.id}`);
      return { favourited: status.favourited, reblogged: status.reblogged };
    };

    const favourite = post.getByRole('button', { name: 'Favourite' });
    const boost = post.getByRole('button', { name: 'Boost' });
    await expectPressed(favourite, false);
    await expectPressed(boost, false);

    await favourite.click();
    await expectPressed(favourite, true);
    await eventually(async () => assert.deepEqual(await state(), { favourited: true, reblogged: false }));

    await boost.click();
    await expectPressed(boost, true);
    await eventually(async () => assert.deepEqual(await state(), { favourited: true, reblogged: true }));

    await favourite.click();
    await boost.click();
    await expectPressed(favourite, false);
    await expectPressed(boost, false);
    await eventually(async () => assert.deepEqual(await state(), { favourited: false, reblogged: false }));
  }));

test('signing out returns to the welcome page and revokes the token', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, employee);
    const token = await tokenOf(page);
    assert.ok(token, 'the app keeps a token while signed in');
    const withToken = client(A_URL, token);
    assert.equal((await withToken.request('GET', '/api/v1/accounts/verify_credentials')).status, 200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(page.getByRole('button', { name: 'Sign in' }));
    assert.equal(await navigation(page).count(), 0);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await tokenOf(page), null);
    await eventually(async () =>
      assert.equal((await withToken.request('GET', '/api/v1/accounts/verify_credentials')).status, 401),
    );
    // The server's sign-in session ended too: signing in asks for the password again.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByLabel('Password'));
  }));

test('when the server cannot be reached, the page says so and recovers on "Try again"', () =>
  web.withContext(async (context) => {
    const page = await signIn(context, employee);
    await settled(page);
    // The network fails for the Company timeline only.
    let offline = true;
    await page.route('**/api/v1/timelines/public**', (route) => (offline ? route.abort('internetdisconnected') : route.continue()));
    await navigation(page).getByRole('link', { name: 'Company' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The server could not be reached' });
    await expectVisible(alert);
    offline = false;
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expectVisible(postWith(page, 'coffee machine on the third floor'));
    assert.equal(await alert.count(), 0);
  }));
