// tests/web/page.mjs - the locator page in headless Chromium (Debian's, driven by
// playwright-core) against a real `reup-locate serve`. Run by tests/cli/t1006-page.sh.
// usage: node page.mjs BASE_URL ARTIFACT_DIR SERVER_PID
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {check, deadline, fault, finish, launch, newPage as open, problems} from './lib.mjs';

const [base, artifacts, serverPid] = process.argv.slice(2);
mkdirSync(artifacts, {recursive: true});
deadline(180000, 'the page checks');
const browser = await launch();
/* Every page also records console errors (CSP refusals, failed files). */
async function newPage(options = {}) {
  const page = await open(browser, options);
  page.on('console', (m) => {
    // the API's 404 for an unknown place is an answer the page shows, not a fault
    const api = /\/api\/v1\/stores\?/.test(m.location().url || '') && /status of 404/.test(m.text());
    if (m.type() === 'error' && !api) problems.push('console: ' + m.text() + ' ' + (m.location().url || ''));
  });
  return page;
}
const stores = (page) => page.locator('#list li.store');
const num = (text) => parseFloat(text.replace(/,/g, ''));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function resultsOf(page) {
  return page.evaluate(() => ({
    names: [...document.querySelectorAll('#list li.store h3')].map((e) => e.textContent),
    dists: [...document.querySelectorAll('#list li.store .dist')].map((e) => e.textContent),
    pins: [...document.querySelectorAll('.leaflet-marker-icon.store-pin')].map((e) => e.title),
    origins: document.querySelectorAll('.leaflet-marker-icon.origin-pin').length,
    title: document.getElementById('results-title').textContent,
    status: document.getElementById('status').textContent,
    query: document.getElementById('q').value,
  }));
}

try {
  // 1. Rock Springs, WY: the stores within the default 100 miles in the list, their markers
  //    and the origin on the map, in distance order; the map fits them; the search is in
  //    the address.
  {
    const page = await newPage();
    await page.goto(base + '/');
    await page.waitForSelector('.leaflet-base-pane canvas', {state: 'attached'});
    check(await page.inputValue('#radius') === '100', 'the radius is 100 by default');
    await page.fill('#q', 'Rock Springs, WY');
    await page.click('#go');
    await stores(page).nth(0).waitFor();
    const r = await resultsOf(page);
    // the same answer as the API within 100 miles, first store first
    const api = await (await page.request.get(base + '/api/v1/stores?q=Rock+Springs%2C+WY&k=5&radius=100mi')).json();
    const all = await (await page.request.get(base + '/api/v1/stores?q=Rock+Springs%2C+WY&k=5')).json();
    check(same(api.stores.map((s) => s.name), r.names), `list equals the API answer within 100 mi: ${r.names}`);
    check(r.names.length >= 3 && r.names.length < all.stores.length,
          `the radius leaves out farther stores: ${r.names.length} of ${all.stores.length}`);
    check(r.pins.length === r.names.length, `a marker a store, got ${r.pins.length}`);
    check(r.origins === 1, `one origin marker, got ${r.origins}`);
    const d = r.dists.map(num);
    check(d.every((x, i) => (i === 0 || d[i - 1] <= x) && x <= 100), `distances ascend, within 100: ${r.dists}`);
    check(r.dists.every((t) => / mi$/.test(t)), `miles for an en-US reader: ${r.dists}`);
    check(r.pins.every((t, i) => t === `${i + 1}. ${r.names[i]}`), `marker i is list item i: ${r.pins} / ${r.names}`);
    check(/Rock Springs, WY, US/.test(r.title), `title names the place: ${r.title}`);
    check(page.url().endsWith('/?q=Rock+Springs%2C+WY&k=5&radius=100mi'), `search in the address: ${page.url()}`);
    // every marker inside the map: the map fits the results
    const inside = await page.evaluate(() => {
      const m = document.getElementById('map').getBoundingClientRect();
      return [...document.querySelectorAll('.leaflet-marker-icon')].every((e) => {
        const b = e.getBoundingClientRect(), x = b.left + b.width / 2, y = b.top + b.height / 2;
        return x >= m.left && x <= m.right && y >= m.top && y <= m.bottom;
      });
    });
    check(inside, 'the map fits every marker');
    const dir = await stores(page).nth(0).locator('a.directions').getAttribute('href');
    check(dir.startsWith('https://www.openstreetmap.org/directions?route=') &&
          decodeURIComponent(dir).includes(`${api.stores[0].lat},${api.stores[0].lon}`), `directions link: ${dir}`);
    // list and map in step: hovering an item lights its marker, hovering a marker its item
    await stores(page).nth(1).hover();
    check(await page.locator('.store-pin').nth(1).evaluate((e) => e.classList.contains('active')),
          'hovering item 2 highlights marker 2');
    await page.locator('.store-pin').nth(2).hover();
    check(await stores(page).nth(2).evaluate((e) => e.classList.contains('active')),
          'hovering marker 3 highlights item 3');
    await page.locator('.store-pin').nth(0).click();
    const popup = await page.locator('.leaflet-popup-content').textContent();
    check(popup.includes(api.stores[0].address), `marker popup has the address: ${popup}`);
    await page.waitForTimeout(1200); // the popup's fade and the borders' redraw after the fit
    await page.screenshot({path: path.join(artifacts, 'rock-springs.png'), fullPage: true});

    // 2. a second search, then back: the previous search returns; a reload keeps it
    await page.fill('#q', '10001');
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => /New York/.test(document.getElementById('results-title').textContent));
    check(page.url().includes('q=10001'), `second search in the address: ${page.url()}`);
    await page.goBack();
    await page.waitForFunction(() => /Rock Springs/.test(document.getElementById('results-title').textContent));
    const back = await resultsOf(page);
    check(back.query === 'Rock Springs, WY' && same(back.names, r.names), `back returns to Rock Springs: ${back.query}`);
    await page.reload();
    await stores(page).nth(0).waitFor();
    check((await resultsOf(page)).names[0] === r.names[0], 'a reload shows the same search');
    await page.context().close();
  }

  // 3. autocomplete: "Kobe" offers København; arrows, Enter and Escape; no store within
  //    100 miles of it: the page says how far the nearest is and shows it on request
  {
    const page = await newPage();
    await page.goto(base + '/');
    await page.click('#q');
    await page.keyboard.type('Kobe', {delay: 40});
    const option = page.locator('#suggest li', {hasText: 'København'});
    await option.waitFor();
    const labels = await page.locator('#suggest li').allTextContents();
    check(labels.some((t) => t.startsWith('Kobe, ')), `Kobe itself offered: ${labels}`);
    check(await page.getAttribute('#q', 'aria-expanded') === 'true', 'combobox says it is open');
    const at = labels.findIndex((t) => t.includes('København'));
    for (let i = 0; i <= at; i++) await page.keyboard.press('ArrowDown');
    check(await page.getAttribute('#q', 'aria-activedescendant') === `suggest-${at}`, 'arrows move the choice');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#show-nearest');
    const far = await resultsOf(page);
    const nearest = (await (await page.request.get(base + '/api/v1/stores?q=Copenhagen%2C+Capital+Region%2C+DK&k=1')).json()).stores[0];
    const miles = Math.round(nearest.distance_km / 1.609344).toLocaleString('en-US');
    check(far.query === 'Copenhagen, Capital Region, DK', `the chosen place searched: ${far.query}`);
    check(far.status.includes(`No store within 100 mi of Copenhagen, Capital Region, DK. The nearest store is ${miles} mi away.`) &&
          far.names.length === 0 && far.pins.length === 0, `far from every store: ${far.status}`);
    await page.click('#show-nearest');
    await page.waitForFunction(() => /Copenhagen/.test(document.getElementById('results-title').textContent));
    const r = await resultsOf(page);
    check(r.names.length === 5 && r.dists.every((t) => / mi$/.test(t)) && r.names[0] === nearest.name,
          `the nearest stores shown anyway: ${r.names}`);
    check(page.url().includes('radius=any'), `"any distance" in the address: ${page.url()}`);
    await page.fill('#q', '');
    await page.keyboard.type('Rock Spr', {delay: 40});
    await page.locator('#suggest li').first().waitFor();
    await page.keyboard.press('Escape');
    check(await page.locator('#suggest').isHidden(), 'Escape closes the suggestions');
    check(await page.getAttribute('#q', 'aria-expanded') === 'false', 'combobox says it is closed');
    await page.context().close();
  }

  // 4. an unknown place: "Did you mean …" with choices that search; no results in a radius
  {
    const page = await newPage();
    await page.goto(base + '/?q=Springfeld');
    await page.waitForSelector('#status .choices button');
    const status = await page.textContent('#status');
    check(/No place called “Springfeld” is known/.test(status) && /Did you mean/.test(status), `unknown place: ${status}`);
    await page.click('#status .choices button:text-is("Springfield")');
    await stores(page).nth(0).waitFor();
    check((await resultsOf(page)).query === 'Springfield', 'a suggestion searches');
    await page.goto(base + '/?q=Rock+Springs%2C+WY&k=5&radius=1mi');
    await page.waitForSelector('#status.notice');
    const none = await resultsOf(page);
    const km = (await (await page.request.get(base + '/api/v1/stores?q=Rock+Springs%2C+WY&k=1')).json()).stores[0].distance_km;
    const mi = (km / 1.609344).toFixed(1);
    check(km > 1.609344 && none.status.includes(`No store within 1 mi of Rock Springs, WY, US. The nearest store is ${mi} mi away.`) &&
          none.names.length === 0 && none.pins.length === 0,
          `no results in a radius: ${none.status}`);
    await page.goto(base + '/?q=qqqzzzxx');
    await page.waitForSelector('#status.notice');
    check(/No place or ZIP code called “qqqzzzxx”/.test(await page.textContent('#status')), 'unknown place without suggestions');
    await page.context().close();
  }

  // 5. the keyboard alone: Tab to the box, type, Enter, Tab to the results, arrows, Enter
  {
    const page = await newPage();
    await page.goto(base + '/?radius=any');
    let tabs = 0;
    while (await page.evaluate(() => document.activeElement.id) !== 'q' && tabs++ < 8) await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement.id) === 'q', 'Tab reaches the search box');
    await page.keyboard.type('82901');
    await page.keyboard.press('Enter');
    await stores(page).nth(4).waitFor();
    // k by keyboard: a choice searches again
    await page.focus('#k');
    await page.keyboard.press('ArrowDown');
    await stores(page).nth(9).waitFor();
    check((await resultsOf(page)).names.length === 10 && page.url().includes('k=10'), 'k chosen with the keyboard');
    tabs = 0;
    while (!(await page.evaluate(() => document.activeElement.classList.contains('store'))) && tabs++ < 20)
      await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement === document.querySelector('#list li.store')),
          'Tab reaches the first result');
    await page.keyboard.press('ArrowDown');
    check(await page.evaluate(() => document.activeElement === document.querySelectorAll('#list li.store')[1]),
          'ArrowDown moves to the next result');
    check(await page.locator('.store-pin').nth(1).evaluate((e) => e.classList.contains('active')),
          'the focused result lights its marker');
    await page.keyboard.press('Enter');
    await page.locator('.leaflet-popup-content').waitFor();
    const second = await stores(page).nth(1).locator('h3').textContent();
    check((await page.textContent('.leaflet-popup-content')).includes(second), 'Enter opens its popup');
    await page.context().close();
  }

  // 6. phone width: one column, the list above the map, nothing wider than the screen
  {
    const page = await newPage({viewport: {width: 375, height: 740}, isMobile: true, hasTouch: true});
    await page.goto(base + '/?q=Rock+Springs%2C+WY&k=5&radius=any');
    await stores(page).nth(4).waitFor();
    const fit = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      map: document.getElementById('map').getBoundingClientRect().height,
      mapTop: document.getElementById('map').getBoundingClientRect().top,
      listTop: document.getElementById('list').getBoundingClientRect().top,
    }));
    await page.waitForTimeout(300);
    check(fit.width <= 375, `no sideways scrolling at 375 px: ${fit.width}`);
    check(fit.map >= 240, `the map is shown at phone width: ${fit.map}px`);
    check(fit.listTop < fit.mapTop, 'the list above the map at phone width');
    await page.screenshot({path: path.join(artifacts, 'rock-springs-phone.png'), fullPage: true});
    await page.context().close();
  }

  // 7. "use my location", with the browser's position granted
  {
    const page = await newPage({geolocation: {latitude: 41.5875, longitude: -109.2029}, permissions: ['geolocation']});
    await page.goto(base + '/');
    await page.click('#locate');
    await stores(page).nth(0).waitFor();
    const r = await resultsOf(page);
    check(/your location/.test(r.title) && page.url().includes('lat=41.5875'), `located search: ${r.title} ${page.url()}`);
    await page.context().close();
  }

  check(problems.length === 0, 'no script errors, CSP refusals or failed requests:\n  ' + problems.join('\n  '));

  // 8. the server gone: the page says so and offers to try again
  {
    const page = await newPage();
    await page.goto(base + '/');
    await page.waitForSelector('.leaflet-base-pane canvas', {state: 'attached'});
    process.kill(Number(serverPid), 'SIGTERM');
    await new Promise((res) => setTimeout(res, 500));
    await page.fill('#q', 'Rock Springs, WY');
    await page.press('#q', 'Enter');
    await page.waitForSelector('#status.error');
    const status = await page.textContent('#status');
    check(/cannot be reached/.test(status) && /Try again/.test(status), `server unreachable: ${status}`);
    await page.context().close();
  }
} catch (e) {
  fault(e);
} finally {
  await browser.close();
}
finish();
