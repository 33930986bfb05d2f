// What every web UI test file needs: the servers and users run.sh set up,
// Debian's Chromium driven by playwright-core (one browser per file, one
// context per user), signing in through the real OAuth flow, screenshots at
// desktop and phone sizes, axe-core accessibility checks and polling
// assertions (playwright-core has no `expect`).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

import { chromium } from 'playwright-core';

import { api } from './api.mjs';

export { ALL_SCOPES, ApiError, api, client } from './api.mjs';

// --- the run ---------------------------------------------------------------

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite through tests/web/run.sh`);
  return value;
}

/** Instance A (the company, on the run's database) and B (a partner, SQLite). */
export const A_URL = required('WEB_A_URL');
export const B_URL = required('WEB_B_URL');
/**
 * Users by key: admin, reviewer, employee, colleague (on A), partner (on B);
 * each `{ username, email, password, role, url, acct, displayName }` (the
 * server shows `displayName` once `nameUsers()` has run).
 */
export const USERS = JSON.parse(required('WEB_USERS'));
export const SCREENSHOTS = required('WEB_SCREENSHOTS');
/** Where a failed test's pages are photographed (run.sh's work directory). */
const ARTIFACTS = process.env.WEB_ARTIFACTS || join(tmpdir(), 'loggia-web-failures');

/** Names people would have, so that screenshots read like a real company. */
const DISPLAY_NAMES = {
  admin: 'Alessandra Conti',
  reviewer: 'Riccardo Bassi',
  employee: 'Emma Rossi',
  colleague: 'Luca Bianchi',
  partner: 'Paula Schmidt',
  mover: 'Marco Ferri',
};
for (const [key, user] of Object.entries(USERS)) user.displayName = DISPLAY_NAMES[key] ?? key;

/** Gives every user a display name (idempotent; call once per file in `before`). */
export async function nameUsers() {
  await Promise.all(
    Object.values(USERS).map(async (user) => {
      const me = await api(user);
      await me.patch('/api/v1/accounts/update_credentials', { display_name: user.displayName });
    }),
  );
}

/** A string unique to this call, to find a post among the run's others. */
export function unique(prefix = 'post') {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

// --- the browser -----------------------------------------------------------

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const TIMEOUT = 10_000;

/**
 * Debian's Chromium. playwright-core gives every launch a fresh profile of its
 * own (a mkdtemp'd --user-data-dir it deletes on close; it refuses the flag
 * from us), so nothing leaks between files or from the machine's profile.
 */
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.WEB_CHROMIUM || '/usr/bin/chromium', args: FLAGS, timeout: 30_000 });
}

/**
 * A context: one person's browser (own storage, language, time zone). Page
 * errors (uncaught exceptions) are collected in `context.pageErrors`.
 */
export async function newContext(browser, { locale = 'en-US', timezoneId = 'Europe/Rome', ...options } = {}) {
  const context = await browser.newContext({
    locale,
    timezoneId,
    viewport: DESKTOP,
    colorScheme: 'light',
    reducedMotion: 'reduce',
    ...options,
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(15_000);
  context.pageErrors = [];
  context.on('page', (page) => page.on('pageerror', (error) => context.pageErrors.push(error)));
  return context;
}

/**
 * Registers the file's browser with node:test (launched in `before`, closed
 * in `after`) and returns:
 * - `browser`;
 * - `context(options)`: a new context (closed with the browser);
 * - `withContext(options?, fn)`: runs `fn(context)` in a new context, closes
 *   it, and fails if a page threw an uncaught exception meanwhile; when `fn`
 *   fails, its open pages are photographed and the error names the files.
 */
export function useBrowser() {
  let browser = null;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      assert.ok(browser, 'the browser starts in before()');
      return browser;
    },
    context: (options) => newContext(browser, options),
    withContext: async (options, fn) => {
      if (typeof options === 'function') [options, fn] = [{}, options];
      const context = await newContext(browser, options);
      try {
        const result = await fn(context);
        assert.deepEqual(context.pageErrors.map(String), [], 'uncaught exceptions in the page');
        return result;
      } catch (error) {
        await photographFailure(context, error);
        throw error;
      } finally {
        await context.close();
      }
    },
  };
}

let failures = 0;

/** Screenshots of every open page, named in the error's message. */
async function photographFailure(context, error) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const files = [];
  for (const page of context.pages()) {
    const file = join(ARTIFACTS, `failure-${process.pid}-${++failures}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true, timeout: 5000 });
      files.push(`${file} (${page.url()})`);
    } catch {
      // A page that cannot be photographed must not hide the real error.
    }
  }
  if (files.length && error instanceof Error) error.message += `\nscreenshots: ${files.join(', ')}`;
}

// --- signing in ------------------------------------------------------------

const SIGN_IN_BUTTON = /^(Sign in|Accedi)$/;
const MAIN_NAV = /^(Main navigation|Navigazione principale)$/;

/** The app's main navigation (the sign of a signed-in page, in English or Italian). */
export function navigation(page) {
  return page.getByRole('navigation', { name: MAIN_NAV });
}

/**
 * Signs in the way a person does: the welcome page's "Sign in", the server's
 * sign-in form, "Authorize", back in the app with its navigation on screen.
 * `signIn(context, baseUrl, username, password)` or `signIn(context, user)`;
 * returns the page (a new one unless `{ page }` is given).
 */
export async function signIn(context, baseUrl, username, password, { page } = {}) {
  if (typeof baseUrl === 'object') {
    ({ page } = username ?? {});
    ({ url: baseUrl, username, password } = baseUrl);
  }
  page ??= await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: SIGN_IN_BUTTON }).click();
  // The server's sign-in pages speak the browser's language (English or Italian).
  await page.getByLabel(/^(User name or e-mail|Nome utente o e-mail)$/).fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: SIGN_IN_BUTTON }).click();
  // The server asks whether to authorize the app (unless it remembers).
  const authorize = page.getByRole('button', { name: /^(Authorize|Autorizza)$/ });
  const nav = navigation(page);
  await authorize.or(nav).first().waitFor();
  if (await authorize.isVisible()) await authorize.click();
  await nav.waitFor();
  return page;
}

/** The app's access token in this page's storage (to check it is revoked). */
export function tokenOf(page) {
  return page.evaluate(() => localStorage.getItem('loggia.token'));
}

/** Waits until the page shows no loading indicator and no busy list. */
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.loading, [aria-busy="true"]'), null, { timeout: TIMEOUT });
}

// --- assertions ------------------------------------------------------------

/**
 * Retries `assertion` (async; throws while unmet) until it passes or
 * `timeout` ms pass, then throws its last error. Returns its result.
 */
export async function eventually(assertion, { timeout = TIMEOUT, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}

/** Polls until `locator`'s attribute `name` equals `value`. */
export function expectAttribute(locator, name, value, options) {
  return eventually(async () => assert.equal(await locator.getAttribute(name, { timeout: 1000 }), value), options);
}

/** Polls until the toggle button is pressed (`aria-pressed`) or not. */
export function expectPressed(locator, pressed = true, options) {
  return expectAttribute(locator, 'aria-pressed', String(pressed), options);
}

/** Polls until `locator` is visible (a clearer failure than a timeout). */
export async function expectVisible(locator, { timeout = TIMEOUT } = {}) {
  await locator.first().waitFor({ state: 'visible', timeout });
}

/**
 * Reloads the page until `locator` shows (for things made through the API
 * after the page loaded; the app's own polling is slower than a test).
 */
export async function reloadUntil(page, locator, { timeout = TIMEOUT } = {}) {
  await eventually(
    async () => {
      if (await locator.first().isVisible()) return;
      await page.reload();
      await locator.first().waitFor({ state: 'visible', timeout: 1500 });
    },
    { timeout, interval: 0 },
  );
}

// --- screenshots -----------------------------------------------------------

async function nextFrame(page) {
  await page.evaluate(
    () => document.fonts.ready.then(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))),
  );
}

/**
 * Writes `<name>-desktop.png` (1280×800) and `<name>-phone.png` (390×844) to
 * docs/screenshots by resizing the page, so it keeps its state (a context's
 * `isMobile` cannot change on an open page; it would not change the picture:
 * the layout switches on width alone and headless Chromium hides scrollbars),
 * then restores its size. Only what is in the viewport is photographed.
 */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [suffix, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(size);
    await nextFrame(page);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${suffix}.png`), animations: 'disabled', caret: 'hide' });
  }
  if (original) await page.setViewportSize(original);
}

// --- accessibility ---------------------------------------------------------

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/** axe's failure summary on one line, cut to a readable length. */
function shorten(summary) {
  const line = summary.replace(/\s+/g, ' ').trim();
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
}

/**
 * Runs axe-core (WCAG 2 A and AA) on the page as it is now and fails on
 * serious or critical violations, listing rule, impact and elements. The
 * app's CSP forbids inline scripts, so axe is evaluated through the DevTools
 * protocol (page.evaluate), which CSP does not govern. `options.exclude`:
 * selectors to leave out; `options.disableRules`: rule ids to skip.
 * Returns every violation (minor and moderate ones too).
 */
export async function checkA11y(page, label, { exclude = [], disableRules = [] } = {}) {
  await settled(page);
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(
    async ({ exclude, disableRules }) => {
      const result = await window.axe.run(
        exclude.length ? { exclude: exclude.map((selector) => [selector]) } : document,
        {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
          rules: Object.fromEntries(disableRules.map((id) => [id, { enabled: false }])),
          resultTypes: ['violations'],
        },
      );
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      }));
    },
    { exclude, disableRules },
  );
  const failing = violations.filter((v) => FAILING_IMPACTS.has(v.impact));
  if (failing.length) {
    const lines = failing.flatMap((v) => [
      `  ${v.id} (${v.impact}): ${v.help}`,
      ...v.nodes.map((n) => `    ${n.target}${n.summary ? ` — ${shorten(n.summary)}` : ''}`),
    ]);
    assert.fail(`${label}: ${failing.length} serious or critical accessibility violation(s) at ${page.url()}\n${lines.join('\n')}`);
  }
  return violations;
}
