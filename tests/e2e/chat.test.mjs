// End-to-end tests of the web chat in headless Chromium against `wissen serve` (see run.sh).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const URL = process.env.WISSEN_URL;
const ARTIFACTS = process.env.E2E_ARTIFACTS || path.resolve('artifacts');
const CANARY = 'CANARY-SAMPLE-HR-7Q2M';
const TIMEOUT = 30_000;
const USERS = {
  everyone: ['erik', 'e2e-erik-pass'],
  hr: ['hanna', 'e2e-hanna-pass'],
  admin: ['ada', 'e2e-ada-pass'],
};
assert.ok(URL, 'WISSEN_URL is not set: run tests/e2e/run.sh');
mkdirSync(ARTIFACTS, { recursive: true });

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-default-apps', '--no-first-run', '--disable-dev-shm-usage',
      '--disable-features=Translate,MediaRouter,OptimizationHints'],
  });
});
after(async () => { await browser?.close(); });

// A fresh browser context (own cookies) with a German browser language.
async function newPage({ locale = 'de-DE', viewport = { width: 1280, height: 860 } } = {}) {
  const context = await browser.newContext({ locale, viewport });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const failures = [];
  page.on('pageerror', (error) => failures.push(String(error)));
  // Expected HTTP errors (401 before login, a wrong password) are logged as resource errors.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) failures.push(msg.text());
  });
  page.failures = failures;
  return page;
}

// Keeps a copy of every /api/v1/ask response body as the page's own code reads it. Chromium
// does not reliably keep the body of a streamed fetch for Network.getResponseBody ("No data
// found for resource"), so the test tees the stream inside the page instead.
async function recordAskStreams(page) {
  await page.addInitScript(() => {
    const originalFetch = window.fetch;
    window.askStreams = [];
    window.fetch = async (...args) => {
      const response = await originalFetch(...args);
      const url = typeof args[0] === 'string' ? args[0] : args[0].url;
      if (!url.endsWith('/api/v1/ask') || !response.body) return response;
      const [copy, forPage] = response.body.tee();
      const record = { text: '', done: false };
      window.askStreams.push(record);
      (async () => {
        const reader = copy.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          record.text += decoder.decode(value, { stream: true });
        }
        record.done = true;
      })();
      return new Response(forPage, { status: response.status, statusText: response.statusText,
                                     headers: response.headers });
    };
  });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name + '.png'), fullPage: false });
}

async function login(page, [user, password]) {
  await page.goto(URL + '/');
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#question').waitFor({ state: 'visible' });
}

// Asks through the question box (Enter sends) and waits for the finished answer.
async function ask(page, question) {
  const before = await page.locator('.message.assistant').count();
  await page.locator('#question').fill(question);
  await page.locator('#question').press('Enter');
  const answer = page.locator('.message.assistant').nth(before);
  await answer.locator('.generator-used').waitFor();
  return answer;
}

test('log in, ask in German, stream, cite, feedback, reopen, delete, log out', async () => {
  const page = await newPage();
  await recordAskStreams(page);
  await page.goto(URL + '/');
  await page.locator('#login-view').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'de');
  assert.equal(await page.locator('#login-form h1').textContent(), 'Anmelden');
  await shot(page, '01-login');

  // A wrong password is a clear message, not a crash.
  await page.locator('#username').fill('erik');
  await page.locator('#password').fill('wrong');
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#login-error').filter({ hasText: 'falsch' }).waitFor();

  const asks = [];
  page.on('response', (r) => { if (r.url().endsWith('/api/v1/ask')) asks.push(r); });
  await login(page, USERS.everyone);
  const answer = await ask(page, 'Wie beantrage ich Urlaub?');
  assert.match(await answer.locator('.text').innerText(), /Urlaub/);
  // The answer came as a server-sent event stream, token by token.
  assert.equal(asks.length, 1);
  assert.match(asks[0].headers()['content-type'], /text\/event-stream/);
  await page.waitForFunction(() => window.askStreams.length === 1 && window.askStreams[0].done);
  const stream = await page.evaluate(() => window.askStreams[0].text);
  assert.match(stream, /event: token/);
  assert.match(stream, /event: done/);
  assert.match(await answer.locator('.generator-used').innerText(), /Generator: extractive/);
  assert.equal(await page.locator('#messages').getAttribute('aria-live'), 'polite');
  await shot(page, '02-answer');

  // A numbered citation link in the text opens the cited document in the app.
  const cite = answer.locator('.text a.cite').first();
  assert.match(await cite.innerText(), /^\[\d+\]$/);
  await cite.click();
  await page.locator('#doc-view').waitFor();
  await page.locator('#doc-body .doc-section').first().waitFor();
  assert.match(await page.locator('#doc-title').innerText(), /Urlaub/);
  assert.match(await page.locator('#doc-body').innerText(), /Urlaubsantrag|Urlaub/);
  await page.locator('#doc-body .doc-section.cited').waitFor();
  const original = await page.locator('#doc-original').getAttribute('href');
  assert.match(original, /^\/api\/v1\/documents\/\d+\/file/);
  const file = await page.request.get(URL + original.replace(/#.*/, ''));
  assert.equal(file.status(), 200);
  await shot(page, '03-document');
  await page.keyboard.press('Escape');
  await page.locator('#doc-view').waitFor({ state: 'hidden' });

  // Thumbs up, then a comment.
  const feedback = [];
  page.on('response', (r) => { if (r.url().endsWith('/api/v1/feedback')) feedback.push(r.status()); });
  await answer.locator('.thumb.up').click();
  await answer.locator('.feedback-status').filter({ hasText: 'Danke' }).waitFor();
  assert.equal(await answer.locator('.thumb.up').getAttribute('aria-pressed'), 'true');
  await answer.locator('.feedback-comment textarea').fill('Sehr hilfreich, danke!');
  await answer.locator('.feedback-comment button').click();
  await answer.locator('.feedback-comment').waitFor({ state: 'hidden' });
  assert.deepEqual(feedback, [200, 200]);
  await shot(page, '04-feedback');

  // New conversation, then reopen the first one from the list.
  await page.locator('#new-conversation').click();
  await page.locator('#messages .welcome').waitFor();
  const item = page.locator('#conversations .conversation-open', { hasText: 'Wie beantrage ich Urlaub?' });
  await item.click();
  await page.locator('.message.user', { hasText: 'Wie beantrage ich Urlaub?' }).waitFor();
  await page.locator('.message.assistant .text a.cite').first().waitFor();
  assert.equal(await page.locator('.message.assistant .thumb.up').first().getAttribute('aria-pressed'), 'false');

  // A second conversation, deleted for real.
  await page.locator('#new-conversation').click();
  await ask(page, 'Wo finde ich den Speiseplan der Kantine?');
  const listed = page.locator('#conversations li', { hasText: 'Speiseplan' });
  await listed.waitFor();
  await shot(page, '05-conversations');
  await listed.locator('.conversation-delete').click();
  await listed.waitFor({ state: 'detached' });
  const list = await (await page.request.get(URL + '/api/v1/conversations')).json();
  assert.ok(!list.conversations.some((c) => c.title.includes('Speiseplan')));
  assert.ok(list.conversations.some((c) => c.title.includes('Urlaub')));

  // Log out: back to the login page, and the session is gone on the server.
  await page.locator('#logout').click();
  await page.locator('#login-view').waitFor();
  assert.equal((await page.request.get(URL + '/api/v1/me')).status(), 401);
  assert.deepEqual(page.failures, []);
  await page.context().close();
});

test('the language switch turns the UI English and back', async () => {
  const page = await newPage({ locale: 'en-US' });
  await page.goto(URL + '/');
  await page.locator('#login-view').waitFor();
  assert.equal(await page.locator('#login-form h1').textContent(), 'Log in');
  await page.locator('#lang-switch').click();
  assert.equal(await page.locator('#login-form h1').textContent(), 'Anmelden');
  assert.equal(await page.locator('html').getAttribute('lang'), 'de');
  await page.locator('#lang-switch').click();
  assert.equal(await page.locator('#lang-switch').textContent(), 'Deutsch');
  await login(page, USERS.everyone);
  assert.match(await page.locator('#question').getAttribute('placeholder'), /Your question/);
  await page.context().close();
});

test('the hr user gets an HR answer; an everyone user gets none and never sees the canary', async () => {
  const question = 'Wie hoch sind die Gehaltsbänder 2025 und was ist die Dokumentkennung?';
  const hr = await newPage();
  await login(hr, USERS.hr);
  const hrAnswer = await ask(hr, question);
  assert.match(await hrAnswer.locator('.text').innerText(), /Gehalt/);
  assert.match(await hrAnswer.locator('.sources').innerText(), /Gehaltsbänder 2025/);
  await hrAnswer.locator('.sources a.source').first().click();
  await hr.locator('#doc-body .doc-section').first().waitFor();
  assert.ok((await hr.locator('#doc-body').innerText()).includes(CANARY));
  await shot(hr, '06-hr-answer');
  await hr.context().close();

  const page = await newPage();
  const bodies = [];
  page.on('response', (r) => { bodies.push(r.text().then((t) => [r.url(), t], () => [r.url(), ''])); });
  await login(page, USERS.everyone);
  const answer = await ask(page, question);
  await ask(page, 'Gehaltsbänder 2025 Referenzgehalt ' + CANARY.slice(0, 13));
  const sources = await page.locator('.message.assistant .sources').allInnerTexts();
  assert.ok(!sources.join('\n').includes('Gehaltsbänder 2025 –'), 'an HR document was cited');
  assert.ok(await answer.locator('.text').innerText());
  // Nothing an everyone user may read answers it: "nothing found", no quoted text, and the
  // closest public documents as links only.
  assert.ok(await answer.evaluate((el) => el.classList.contains('no-answer')), 'everyone got an answer');
  assert.equal(await answer.locator('.sources').count(), 0);
  const related = await answer.locator('.related a.source').allInnerTexts();
  assert.ok(related.length > 0 && related.length <= 3, 'related links: ' + related.join(', '));
  assert.ok(!related.join('\n').includes('Gehaltsbänder'), 'an HR document was linked');
  await shot(page, '07-everyone-no-hr');
  const text = await page.locator('body').innerText();
  assert.ok(!text.includes(CANARY), 'canary in the page text');
  assert.ok(!(await page.content()).includes(CANARY), 'canary in the DOM');
  const seen = await Promise.all(bodies);
  assert.ok(seen.some(([url]) => url.endsWith('/api/v1/ask')));
  for (const [url, body] of seen) assert.ok(!body.includes(CANARY), 'canary in the response of ' + url);
  await page.context().close();
});

test('Office files, an e-mail and a scan answer in the chat with their headings and metadata', async () => {
  const page = await newPage();
  await login(page, USERS.everyone);
  // The e-mail: cited under its subject; the document view shows sender and date, and the
  // attachment as a section of its own.
  const mail = await ask(page, 'Until when can I still print to the old printer queues?');
  assert.match(await mail.locator('.text').innerText(), /31 January 2027/);
  assert.match(await mail.locator('.sources').innerText(), /IT newsletter November 2026/);
  await mail.locator('.sources a.source').first().click();
  await page.locator('#doc-body .doc-section').first().waitFor();
  assert.match(await page.locator('#doc-properties').innerText(), /it-service@beispiel-gmbh\.example/);
  assert.match(await page.locator('#doc-properties').innerText(), /2026-11-20/);
  assert.match(await page.locator('#doc-body').innerText(), /follow-me-printing\.pdf/);
  await shot(page, '11-email-document');
  await page.keyboard.press('Escape');
  await page.locator('#doc-view').waitFor({ state: 'hidden' });
  // The scanned notice, read by OCR, with its page.
  const scan = await ask(page, 'Wo ist der Sammelplatz bei der Brandschutzübung?');
  assert.match(await scan.locator('.text').innerText(), /Parkplatz Nord/);
  assert.match(await scan.locator('.sources').innerText(), /Brandschutzübung/);
  // The Word policy is HR's: the everyone user gets nothing of it.
  const policy = await ask(page, 'Welche Zuschüsse gibt es laut der Richtlinie Mobiles Arbeiten für den Bürostuhl?');
  assert.ok(!(await policy.locator('.text').innerText()).includes('250 Euro einmalig'));
  assert.ok(!(await page.content()).includes('CANARY-SAMPLE-HR-W5T3'), 'the Word canary reached the page');
  await page.context().close();

  const hr = await newPage();
  await login(hr, USERS.hr);
  const answer = await ask(hr, 'Welche Zuschüsse gibt es laut der Richtlinie Mobiles Arbeiten für den Bürostuhl?');
  assert.match(await answer.locator('.text').innerText(), /250 Euro einmalig/);
  assert.match(await answer.locator('.sources').innerText(), /Richtlinie Mobiles Arbeiten/);
  await shot(hr, '12-word-answer');
  await hr.context().close();
});

test('markup in documents is shown as text, never executed', async () => {
  const page = await newPage({ locale: 'en-US' });
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await login(page, USERS.everyone);
  const answer = await ask(page, 'Which markup must staff never paste into intranet forms? script tag image error handler');
  const link = answer.locator('.sources a.source', { hasText: 'Markup in intranet forms' }).first();
  await link.click();
  await page.locator('#doc-body .doc-section').first().waitFor();
  const docText = await page.locator('#doc-body').innerText();
  assert.ok(docText.includes("<script>window.__xss = 'script'</script>"), docText);
  assert.ok(docText.includes('onerror='), docText);
  await shot(page, '08-markup-as-text');
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator('#doc-body script, #doc-body img, .messages script, .messages img').count(), 0);
  assert.equal(await page.locator('script').count(), 1);  // only /static/app.js
  assert.deepEqual(dialogs, []);
  await page.context().close();
});

test('keyboard only: log in, Tab to the question, Enter sends, open a citation', async () => {
  const page = await newPage();
  await page.goto(URL + '/');
  await page.locator('#login-view').waitFor();
  // Start from the top of the page and move with Tab only.
  await page.evaluate(() => document.activeElement?.blur());
  const tabTo = async (predicate, max = 40) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(predicate)) return;
    }
    assert.fail('Tab never reached the target: ' + predicate);
  };
  await tabTo(() => document.activeElement?.id === 'username');
  await page.keyboard.type(USERS.everyone[0]);
  await page.keyboard.press('Tab');
  await page.keyboard.type(USERS.everyone[1]);
  await page.keyboard.press('Enter');
  await page.locator('#chat-view').waitFor();
  await page.evaluate(() => document.activeElement?.blur());
  await tabTo(() => document.activeElement?.id === 'question');
  await page.keyboard.type('Wie beantrage ich Urlaub?');
  await page.keyboard.down('Shift');
  await page.keyboard.press('Enter');
  await page.keyboard.up('Shift');
  assert.equal(await page.locator('.message.user').count(), 0, 'Shift+Enter must not send');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Enter');
  const answer = page.locator('.message.assistant').first();
  await answer.locator('.generator-used').waitFor();
  await tabTo(() => document.activeElement?.classList.contains('cite'), 80);
  await shot(page, '09-keyboard-focus');
  await page.keyboard.press('Enter');
  await page.locator('#doc-view').waitFor();
  await page.locator('#doc-body .doc-section').first().waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#doc-view').waitFor({ state: 'hidden' });
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('cite')));
  await page.context().close();
});

test('clear messages: rate limit with the wait, server unavailable, expired session', async () => {
  const page = await newPage();
  await login(page, USERS.everyone);
  await page.route('**/api/v1/ask', (route) => route.fulfill({
    status: 429, headers: { 'Retry-After': '30', 'Content-Type': 'application/json' },
    body: JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }),
  }));
  await page.locator('#question').fill('Wie beantrage ich Urlaub?');
  await page.locator('#question').press('Enter');
  await page.locator('#notice', { hasText: /in (30|29|28) Sekunden/ }).waitFor();
  assert.ok(await page.locator('#send').isDisabled());
  assert.equal(await page.locator('#question').inputValue(), 'Wie beantrage ich Urlaub?');
  await shot(page, '10-rate-limited');
  await page.unroute('**/api/v1/ask');

  await page.reload();
  await page.locator('#question').waitFor();
  await page.route('**/api/v1/ask', (route) => route.fulfill({
    status: 503, headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ error: { code: 'unavailable', message: 'busy' } }),
  }));
  await page.locator('#question').fill('Wie beantrage ich Urlaub?');
  await page.locator('#question').press('Enter');
  await page.locator('#notice', { hasText: 'nicht erreichbar' }).waitFor();
  await page.unroute('**/api/v1/ask');

  // The session ends (cookie gone): the next question leads back to the login page.
  await page.context().clearCookies();
  await page.locator('#question').fill('Wie beantrage ich Urlaub?');
  await page.locator('#question').press('Enter');
  await page.locator('#login-error', { hasText: 'abgelaufen' }).waitFor();
  await shot(page, '11-session-expired');
  await page.context().close();
});

test('admin view: sources, index, crawls, crawl now', async () => {
  const page = await newPage();
  await login(page, USERS.admin);
  await page.locator('#admin-open').click();
  await page.locator('#sources-table tbody tr', { hasText: 'samples' }).waitFor();
  assert.match(await page.locator('#index-info').innerText(), /Generation [1-9]/);
  await page.locator('#runs-table tbody tr').first().waitFor();
  await page.locator('#crawl-now').click();
  await page.locator('#crawl-status', { hasText: /Crawl gestartet|läuft/ }).waitFor();
  await shot(page, '12-admin');
  await page.context().close();

  const user = await newPage();
  await login(user, USERS.everyone);
  assert.ok(await user.locator('#admin-open').isHidden());
  await user.context().close();
});

test('phone width: the chat fits and works', async () => {
  const page = await newPage({ viewport: { width: 390, height: 800 } });
  await login(page, USERS.everyone);
  await ask(page, 'Welcher VPN-Client wird verwendet?');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'horizontal scrolling at phone width');
  await shot(page, '13-phone');
  await page.context().close();
});
