// Shared by the browser tests: Debian's Chromium through playwright-core (never a downloaded
// browser), the dashboard's URL from tests/web/run, milex commands, screenshots and axe-core.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const url = process.env.DASHBOARD_URL;
export const origin = url ? new URL(url).origin : '';
const screenshots = process.env.SCREENSHOTS;

export async function launch() {
  assert.ok(url, 'DASHBOARD_URL is not set: run the tests through tests/web/run (ctest -L web)');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/// A page logged in with the token (exchanged for the cookie), in a browser context of its own
/// unless `context` is given (tabs of one browser share its connections); any dialog it did not
/// expect, and any script error, fail the test.
export async function openPage(browser, where = '/runs', context = null) {
  context = context || await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`script error: ${e.message}`));
  page.on('dialog', async (dialog) => {
    if (page.expectDialog) {
      page.expectDialog = false;
      await dialog.accept();
    } else {
      page.problems.push(`unexpected dialog: ${dialog.message()}`);
      await dialog.dismiss();
    }
  });
  const first = new URL(url);
  first.pathname = where;
  await page.goto(first.toString());
  assert.equal(new URL(page.url()).search, '', 'the token left the URL');
  return page;
}

export function milex(...args) {
  return execFileSync(args[0], args.slice(1), { encoding: 'utf8', env: process.env });
}

export async function screenshot(page, name) {
  if (screenshots) await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

/// axe-core's violations on the page as it is now (none expected).
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

export function assertClean(page) {
  assert.deepEqual(page.problems, []);
}
