// tests/web/redeem.mjs - the redemption page (reup-issuer serve's /redeem) in headless
// Chromium (Debian's, driven by playwright-core), opened from the URLs read back from
// printed cards' QR codes. Run by tests/cli/t3016-redeem-browser.sh.
// usage: node redeem.mjs CARD_URL_A CARD_URL_B CARD_URL_C ARTIFACT_DIR
// environment: REUP_SPKI (the issuer certificate's SPKI pin), REUP_ISSUER and REUP_STATE
// (to ask the issuer about a card), REUP_SERIALS (the cards' serials: A, B, the one typed locked out, C),
// REUP_WRONG_PINS (four PINs of cards never sold: the wrong ones typed), REUP_LOCKED_PIN (a
// sold card's, typed once locked out), REUP_SOURCE_DIR.
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {axe, check, deadline, fault, finish, launch, newPage as libPage, problems} from './lib.mjs';

const [urlA, urlB, urlC, artifacts] = process.argv.slice(2);
const env = process.env;
const serials = env.REUP_SERIALS.split(' ');
const wrongPins = env.REUP_WRONG_PINS.split(' ');
mkdirSync(artifacts, {recursive: true});
const texts = {};
deadline(100000, 'the redemption page checks');

// The issuer's self-signed certificate is trusted by its key's pin, nothing else.
const browser = await launch([`--ignore-certificate-errors-spki-list=${env.REUP_SPKI}`]);

// A page in Danish unless OPTIONS say otherwise, which also records console errors and
// CSP violations (the event, and Chromium's own report of one).
async function newPage(options = {}) {
  const page = await libPage(browser, {locale: 'da-DK', viewport: {width: 1024, height: 768}, ...options});
  // from the debugger, not a script of the page: the CSP does not apply to it
  await page.context().addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    // a refusal's or the lockout's status is the page's answer, not a fault
    if (m.type() === 'error' && !/status of (422|429)/.test(m.text())) problems.push('console: ' + m.text());
  });
  return page;
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

  // 4. Card A again: the one refusal, on the PIN field, which has the focus; then four
  //    wrong PINs typed, and the sixth PIN, a good one, gets the lockout in words.
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
      await page.fill('#pin', i < 4 ? wrongPins[i] : env.REUP_LOCKED_PIN);
      const [answer] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      status = answer.status();
      check(status === (i < 4 ? 422 : 429), `PIN ${i + 2} of 6: HTTP ${status}`);
    }
    check(cardStatus(serials[2]) === 'active', 'a good PIN typed while locked out redeems nothing');
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
  fault(e);
} finally {
  await browser.close();
}
writeFileSync(path.join(artifacts, 'texts.json'), JSON.stringify(texts));
finish();
