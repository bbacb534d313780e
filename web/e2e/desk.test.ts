/**
 * The desk in a real browser against the real app (in-process, sandbox network): sign in, live queue, thread,
 * reply delivered to the sandbox, hash routing across reload, hostile text never run as HTML, sign out.
 * Needs /usr/bin/chromium; skipped (with the reason in the suite name) where it is not installed.
 * Set EARSHOT_E2E_SCREENSHOTS=<dir> to keep screenshots of each step.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEarshot } from '../../src/app/earshot.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const suite = hasChromium ? describe : describe.skip;
const title = hasChromium ? 'desk in a browser' : `desk in a browser — SKIPPED: ${CHROMIUM} is not installed`;

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct horse battery';
/** Sent as a reply, so it comes back as a stored outbound post: it must show as text and never run. */
const HOSTILE = `Sorry! <img src=x onerror="alert('xss-img')"><script>alert('xss-script')</script> <b>bold</b> javascript:alert(1)`;

const webRoot = fileURLToPath(new URL('..', import.meta.url));
const shotDir = process.env.EARSHOT_E2E_SCREENSHOTS;

suite(title, () => {
  let app: { url: string; close(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dataDir = '';
  const problems: string[] = [];
  let openedId = '';

  async function shot(name: string) {
    if (!shotDir) return;
    mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: join(shotDir, `${name}.png`) });
  }

  beforeAll(async () => {
    // The server serves web/dist: build it from the current sources so the test never runs a stale desk.
    if (process.env.EARSHOT_E2E_SKIP_BUILD !== '1' || !existsSync(join(webRoot, 'dist', 'index.html'))) {
      await build({ configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
    }
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-e2e-'));
    app = await startEarshot({
      port: 0,
      dataDir,
      env: { EARSHOT_ADMIN_EMAIL: EMAIL, EARSHOT_ADMIN_PASSWORD: PASSWORD, EARSHOT_SANDBOX_RATE: '600' },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Any dialog means text was executed as HTML/script: record it (the test asserts none) and dismiss.
    page.on('dialog', (d) => {
      problems.push(`dialog opened: ${d.type()} ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a wrong password with a message, then signs in with Enter', async () => {
    await page.goto(app!.url);
    await page.getByTestId('login-email').fill(EMAIL);
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-password').press('Enter');
    await expect.poll(() => page.getByTestId('login-error').isVisible(), { timeout: 10_000 }).toBe(true);
    await shot('01-login-error');

    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-password').press('Enter');
    await page.getByTestId('current-user').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('queue-tab-new').isVisible()).toBe(true);
  });

  it('shows conversations arriving live, with counts', async () => {
    await page.getByTestId('queue-tab-all').click();
    await page.getByTestId('conversation-item').first().waitFor({ timeout: 20_000 });
    await expect.poll(async () => Number(await page.getByTestId('queue-count-all').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot('02-queue');
  });

  it('opens a conversation: thread, labels with reasons, customer panel, linkable route', async () => {
    const first = page.getByTestId('conversation-item').first();
    openedId = (await first.getAttribute('data-conversation-id')) ?? '';
    expect(openedId).toMatch(/^\d+$/);
    await first.click();
    await page.getByTestId('thread-post').first().waitFor({ timeout: 10_000 });
    expect(page.url()).toContain(`#/c/${openedId}`);
    await page.getByTestId('customer-panel').waitFor();
    expect(await page.getByTestId('customer-identity').count()).toBeGreaterThan(0);

    // "why?" shows the triage reasons.
    const why = page.getByTestId('why-toggle').first();
    await why.click();
    expect(await why.getAttribute('aria-expanded')).toBe('true');
    await page.getByTestId('post-reasons').first().waitFor();
    await shot('03-conversation');

    // A reload keeps the conversation open (hash route).
    await page.reload();
    await page.locator(`[data-testid="conversation-view"][data-conversation-id="${openedId}"]`).waitFor({ timeout: 10_000 });
  });

  it('corrects a post\'s intent from "why?", and the correction sticks after a reload', async () => {
    const inbound = () => page.locator('[data-testid="thread-post"][data-direction="inbound"]').first();
    await inbound().waitFor({ timeout: 10_000 });
    const before = ((await inbound().locator('.chip-intent').textContent()) ?? '').trim();
    const target = before === 'idea' ? 'praise' : 'idea';
    await inbound().getByTestId('why-toggle').click();
    await inbound().getByTestId('correct-labels-toggle').click();
    await inbound().getByLabel('Intent').selectOption(target);
    await inbound().getByTestId('correct-save').click();
    await expect.poll(async () => (await inbound().locator('.chip-intent').textContent())?.trim(), { timeout: 10_000 }).toBe(target);
    expect(await inbound().getByTestId('post-corrections').textContent()).toContain(`intent: ${target}, corrected by you`);
    await shot('03b-corrected');

    await page.reload();
    await page.locator(`[data-testid="conversation-view"][data-conversation-id="${openedId}"]`).waitFor({ timeout: 10_000 });
    await inbound().waitFor({ timeout: 10_000 });
    expect((await inbound().locator('.chip-intent').textContent())?.trim()).toBe(target);
    await inbound().getByTestId('why-toggle').click();
    expect(await inbound().getByTestId('post-corrections').textContent()).toContain(`intent: ${target}, corrected by you (the model said ${before})`);
  });

  it('sends a reply: shown at once, then "sent" once delivered to the sandbox; hostile text stays text', async () => {
    const box = page.getByTestId('reply-text');
    await box.fill(HOSTILE);
    expect(await page.getByTestId('reply-counter').textContent()).toMatch(/^\d+ \/ (280|300|500)/);
    expect(await page.getByTestId('reply-send').isEnabled()).toBe(true);
    await box.press('Control+Enter');

    // Appears at once with an outbox status, and the box is cleared.
    await page.getByTestId('reply-status').first().waitFor({ timeout: 5_000 });
    await expect.poll(() => box.inputValue()).toBe('');
    await page.locator('[data-testid="reply-status"][data-status="sent"]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="reply-status"][data-status="sent"]').first().textContent()).toContain('sent');
    await shot('04-reply-sent');

    // The markup is shown literally and nothing from it became DOM.
    const texts = await page.getByTestId('thread-post').allTextContents();
    expect(texts.some((t) => t.includes(`<img src=x onerror="alert('xss-img')">`))).toBe(true);
    expect(await page.locator('[data-testid="thread"] img, [data-testid="thread"] script, [data-testid="thread"] b').count()).toBe(0);
    // Every link on the page is http(s) or a same-page hash.
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const h of hrefs) expect(h).toMatch(/^(https?:\/\/|#)/);
  });

  it('enforces the length limit in the reply box', async () => {
    const box = page.getByTestId('reply-text');
    await box.fill('a'.repeat(600));
    expect(await page.getByTestId('reply-send').isDisabled()).toBe(true);
    expect(await page.getByTestId('reply-counter').getAttribute('class')).toContain('counter-over');
    await box.fill('');
  });

  it('never opened a dialog or threw in the page', () => {
    expect(problems).toEqual([]);
  });

  it('signs out back to the sign-in page', async () => {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-email').waitFor({ timeout: 10_000 });
    await shot('05-signed-out');
    // The session is really gone: a reload still asks to sign in.
    await page.reload();
    await page.getByTestId('login-email').waitFor({ timeout: 10_000 });
    expect(problems).toEqual([]);
  });
});
