// tests/web/redeem.mjs - the redemption page (reup-issuer serve's /redeem) in headless
// Chromium (Debian's, driven by playwright-core), opened from the URLs read back from
// printed cards' QR codes. Run by tests/cli/t3016-redeem-browser.sh.
// usage: node redeem.mjs CARD_URL_A CARD_URL_B CARD_URL_C ARTIFACT_DIR
// environment: REUP_SPKI (the issuer certificate's SPKI pin), REUP_ISSUER and REUP_STATE
// (to ask the issuer about a card), REUP_SERIALS (the cards' serials, A B - C),
// REUP_WRONG_PINS (six PINs of cards never sold), REUP_BASE, REUP_SOURCE_DIR.
import {createRequire} from 'node:module';
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

const [urlA, urlB, urlC, artifacts] = process.argv.slice(2);
const env = process.env;
const require = createRequire(path.join(env.REUP_SOURCE_DIR, 'web', 'package.json'));
const {chromium} = require('playwright-core');
const axeSource = readFileSync(path.join(env.REUP_SOURCE_DIR, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const serials = env.REUP_SERIALS.split(' ');
const wrongPins = env.REUP_WRONG_PINS.split(' ');
const base = env.REUP_BASE;

let checks = 0, failures = 0;
function check(ok, what) {
  checks++;
  if (!ok) { failures++; console.error('FAIL: ' + what); }
}
mkdirSync(artifacts, {recursive: true});
const texts = {};

// Bounded everywhere: each step (15 s), the browser's start (30 s), the whole run (100 s).
const STEP_MS = 15000;
setTimeout(() => {
  console.error('FAIL: the page checks did not finish within 100 s');
  process.exit(1);
}, 100000).unref();

// The issuer's self-signed certificate is trusted by its key's pin, nothing else.
const browser = await chromium.launch({
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--ignore-certificate-errors-spki-list=${env.REUP_SPKI}`],
  timeout: 30000,
});

// What goes wrong in any page: script errors, console errors, CSP violations (the event
// and Chromium's own report), failed requests.
const problems = [];
async function newPage(options = {}) {
  const context = await browser.newContext({locale: 'da-DK', viewport: {width: 1024, height: 768}, ...options});
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  // from the debugger, not a script of the page: the CSP does not apply to it
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push('script error: ' + e.message));
  page.on('console', (m) => {
    // a refusal's or the lockout's status is the page's answer, not a fault
    if (m.type() === 'error' && !/status of (422|429)/.test(m.text())) problems.push('console: ' + m.text());
  });
  page.on('requestfailed', (r) => problems.push('request failed: ' + r.url() + ' ' + (r.failure() || {}).errorText));
  return page;
}

// axe-core, given to the page through the debugger (the CSP refuses added script tags)
async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document, {resultTypes: ['violations']}));
  check(r.violations.length === 0, `axe on ${what}: ` +
        r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; '));
}

function cardStatus(serial) {
  const out = execFileSync(env.REUP_ISSUER, ['card', 'show', serial, '--dir', env.REUP_STATE], {encoding: 'utf8'});
  return JSON.parse(out).status;
}
const noHorizontalScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const focused = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);
const last4 = (url) => url.slice(-4);

try {
  // 1. The card's QR code in a Danish browser: the PIN leaves the address at once and is
  //    shown masked; the keyboard alone redeems (Tab to the account, type, Enter).
  {
    const page = await newPage();
    const answer = await page.goto(urlA);
    check(answer.status() === 200, `GET the card's URL: ${answer.status()}`);
    await page.waitForFunction(() => !location.search.includes('pin='));
    check(!page.url().includes('pin') && new URL(page.url()).pathname === '/redeem', `the address without the PIN: ${page.url()}`);
    check(await page.getAttribute('html', 'lang') === 'da', 'the page in Danish (html lang)');
    check((await page.textContent('h1')).includes('Indløs dit Re-Up-kort'), 'the Danish title');
    const shown = await page.textContent('#pin-shown');
    check(shown.includes('•••• •••• •••• ' + last4(urlA)) && !shown.includes(urlA.slice(-16, -4)),
          `the PIN masked but for its last four digits: ${shown}`);
    await axe(page, 'the form');
    await page.screenshot({path: path.join(artifacts, 'redeem-da-form.png'), fullPage: true});
    let tabs = 0;
    while ((await focused(page)) !== 'account' && tabs++ < 10) await page.keyboard.press('Tab');
    check((await focused(page)) === 'account', 'Tab reaches the account field');
    await page.keyboard.type('+45 12 34 56 78');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const done = await page.textContent('#result');
    check(/1 års abonnement er lagt til \+45 12 34 56 78\./.test(done), `the plan added, in Danish: ${done}`);
    const date = /Dit abonnement løber nu til (\d{1,2}\. [a-zæøå]+ \d{4})\./.exec(done);
    check(date !== null, `the new expiry as a Danish date: ${done}`);
    texts.da_date = date ? date[1] : '';
    check((await focused(page)) === 'result', 'the result has the focus');
    check(cardStatus(serials[0]) === 'redeemed', 'the issuer has card A redeemed');
    await axe(page, 'the result');
    await page.screenshot({path: path.join(artifacts, 'redeem-da-done.png'), fullPage: true});
    await page.context().close();
  }

  // 2. JavaScript off, in English: a plain form post redeems card B.
  {
    const page = await newPage({javaScriptEnabled: false, locale: 'en-US'});
    await page.goto(urlB);
    check(await page.getAttribute('html', 'lang') === 'en', 'the page in English');
    await page.fill('#account', 'bob@example.com');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const done = await page.textContent('#result');
    check(/1 year of service added to bob@example\.com\./.test(done) && /runs until [A-Z][a-z]+ \d{1,2}, \d{4}\./.test(done),
          `redeemed without JavaScript: ${done}`);
    check(cardStatus(serials[1]) === 'redeemed', 'the issuer has card B redeemed');
    await page.context().close();
  }

  // 3. The language switcher keeps the PIN in the form and out of the address; at 360 px
  //    nothing scrolls sideways.
  {
    const page = await newPage({viewport: {width: 360, height: 740}, isMobile: true, hasTouch: true});
    await page.goto(urlC);
    await page.waitForFunction(() => !location.search.includes('pin='));
    check(await noHorizontalScroll(page), 'the form at 360 px: no horizontal scroll');
    await page.screenshot({path: path.join(artifacts, 'redeem-da-360.png'), fullPage: true});
    await page.fill('#account', 'carol@example.com');
    await Promise.all([page.waitForNavigation(), page.click('nav.langs a[lang=es]')]);
    check(await page.getAttribute('html', 'lang') === 'es', 'the switcher: Spanish');
    check(new URL(page.url()).search === '?lang=es', `the switcher keeps lang in the address, no PIN: ${page.url()}`);
    check((await page.textContent('#pin-shown')).includes(last4(urlC)), 'the switcher keeps the PIN');
    check(await page.inputValue('#account') === 'carol@example.com', 'the switcher keeps the account');
    check(cardStatus(serials[3]) === 'active', 'switching languages redeems nothing');
    check(await noHorizontalScroll(page), 'the Spanish form at 360 px: no horizontal scroll');
    await page.context().close();
  }

  // 4. Card A again: the one refusal, on the PIN field, which has the focus; then wrong
  //    PINs typed from the card until the sixth gets the lockout in words.
  {
    const page = await newPage({viewport: {width: 360, height: 740}, isMobile: true, hasTouch: true});
    await page.goto(urlA);
    await page.fill('#account', '+45 12 34 56 78');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const refused = await page.textContent('#pin-error');
    check(/Denne PIN-kode kan ikke indløses/.test(refused), `the refusal in Danish: ${refused}`);
    check((await focused(page)) === 'pin', 'the refused PIN field has the focus');
    check((await page.getAttribute('#pin', 'aria-describedby')).split(' ').includes('pin-error'), 'the refusal tied to its field');
    await axe(page, 'the refusal');
    let status = 422;
    for (let i = 0; i < 5 && status === 422; i++) {
      await page.fill('#pin', wrongPins[i]);
      const [answer] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      status = answer.status();
      check(status === (i < 4 ? 422 : 429), `wrong PIN ${i + 2} of 6: HTTP ${status}`);
    }
    const locked = await page.textContent('#result');
    check(/For mange forsøg/.test(locked) && /Prøv igen om (1[0-5]|[1-9]) minut(ter)?\./.test(locked),
          `the lockout in Danish words: ${locked}`);
    check(await noHorizontalScroll(page), 'the lockout at 360 px: no horizontal scroll');
    await axe(page, 'the lockout');
    await page.screenshot({path: path.join(artifacts, 'redeem-locked-360.png'), fullPage: true});
    await page.context().close();
  }

  check(problems.length === 0, 'no script errors, CSP violations or failed requests:\n  ' + problems.join('\n  '));
} catch (e) {
  failures++;
  console.error('FAIL: ' + (e.stack || e));
} finally {
  await browser.close();
}
writeFileSync(path.join(artifacts, 'texts.json'), JSON.stringify(texts));
console.log(`${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
