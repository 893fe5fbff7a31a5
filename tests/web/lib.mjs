// tests/web/lib.mjs - what the page tests share: checks that count, Debian's Chromium
// started through playwright-core with bounds, and pages that record what goes wrong in
// them.
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.REUP_SOURCE_DIR, 'web', 'package.json'));
const {chromium} = require('playwright-core');

// Bounded everywhere, so a broken page or browser fails a test in seconds: each step
// (15 s), the browser's start (30 s), and the whole run (deadline()).
export const STEP_MS = 15000;
let checks = 0, failures = 0;
export function check(ok, what) {
  checks++;
  if (!ok) { failures++; console.error('FAIL: ' + what); }
}
export function fault(e) {
  failures++;
  console.error('FAIL: ' + (e.stack || e));
}
/* The counts, and the exit: 1 when anything failed. */
export function finish() {
  console.log(`${checks} checks, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}
export function deadline(ms, what) {
  setTimeout(() => {
    console.error(`FAIL: ${what} did not finish within ${ms / 1000} s`);
    process.exit(1);
  }, ms).unref();
}
/* Chromium, with ARGS added to its command line. */
export function launch(args = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', ...args],
    timeout: 30000,
  });
}
/* axe-core run on PAGE's document: a check that it finds no violation (WHAT names the
 * page). The source is given through the debugger, so a page's CSP does not refuse it. */
let axeSource = null;
export async function axe(page, what) {
  axeSource ??= readFileSync(path.join(process.env.REUP_SOURCE_DIR, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document));
  check(r.violations.length === 0, `axe-core: no violations (${what}): ` +
        r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; '));
}
/* Script errors and failed requests of every page opened with newPage(). */
export const problems = [];
/* A page in a context of its own (en-US, 1280x800 unless OPTIONS say otherwise). A
 * suggestion or labels request the page itself cancels (a newer keystroke, search or view
 * superseded it: app.js's AbortController) ends as net::ERR_ABORTED and is no problem;
 * nor is a failed request IGNORE(request) is true of. */
export async function newPage(browser, options = {}, ignore = () => false) {
  const context = await browser.newContext({locale: 'en-US', viewport: {width: 1280, height: 800}, ...options});
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push('script error: ' + e.message));
  page.on('requestfailed', (r) => {
    const why = (r.failure() || {}).errorText;
    if (why === 'net::ERR_ABORTED' && ['/api/v1/places', '/api/v1/labels'].includes(new URL(r.url()).pathname)) return;
    if (!ignore(r)) problems.push('request failed: ' + r.url() + ' ' + why);
  });
  return page;
}
