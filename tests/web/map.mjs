// tests/web/map.mjs - the locator page's languages, offline map, far search, phone layout,
// accessibility and speed, in headless Chromium (Debian's, driven by playwright-core)
// against a real `reup-locate serve`. Run by tests/cli/t1009-page-languages-map.sh.
// usage: node map.mjs BASE_URL TILES_BASE_URL ARTIFACT_DIR
//   TILES_BASE_URL: the same database served with --tiles (no names, no counties then)
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {axe, check, deadline, fault, finish, launch, newPage as open, problems} from './lib.mjs';

const [base, tilesBase, artifacts] = process.argv.slice(2);
const src = process.env.REUP_SOURCE_DIR;
const catalog = Object.fromEntries(['en', 'da', 'es'].map((l) =>
  [l, JSON.parse(readFileSync(path.join(src, 'i18n', 'catalog', l + '.json'), 'utf8'))]));
const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
mkdirSync(artifacts, {recursive: true});
deadline(300000, 'the map checks');
const browser = await launch();
// the tile server of step 5 is unreachable on purpose
const newPage = (options) => open(browser, options, (r) => new URL(r.url()).port === '1');
const stores = (page) => page.locator('#list li.store');

/* The distance as the page should write it in LANG: one decimal under 10, else whole. */
function distance(lang, km, units) {
  const d = units === 'mi' ? km / 1.609344 : km;
  const n = d < 10 ? new Intl.NumberFormat(lang, {minimumFractionDigits: 1, maximumFractionDigits: 1}).format(d)
                   : new Intl.NumberFormat(lang, {maximumFractionDigits: 0}).format(Math.round(d));
  return fill(catalog[lang]['locate.dist.' + units], {d: n});
}
async function api(page, query) {
  return (await page.request.get(base + '/api/v1/stores?' + query)).json();
}
/* The boxes of the drawn place names, the pins and the map, in page pixels. */
function drawn(page) {
  return page.evaluate(() => {
    const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    return {
      labels: [...document.querySelectorAll('.place-label')].map((e) => ({name: e.textContent, ...box(e)})),
      pins: [...document.querySelectorAll('.leaflet-marker-icon')].map(box),
      map: box(document.getElementById('map')),
    };
  });
}
const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
/* Painted pixels of the county lines' canvas (0 when there is none). */
function countyPixels(page) {
  return page.evaluate(() => {
    const c = document.querySelector('.leaflet-counties-pane canvas');
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
    return n;
  });
}

try {
  // 1. Danish from Accept-Language: the page's words, <html lang>, km, Danish numbers; the
  //    switcher keeps the search and the language stays in the address; ?lang wins
  {
    const page = await newPage({locale: 'da-DK'});
    await page.goto(base + '/');
    const da = catalog.da;
    check(await page.getAttribute('html', 'lang') === 'da', '<html lang="da"> for Accept-Language da-DK');
    check(await page.textContent('h1') === da['locate.title'], `Danish heading: ${await page.textContent('h1')}`);
    check(await page.textContent('#go') === da['locate.go'], 'Danish search button');
    check(await page.textContent('label[for=q]') === da['locate.q.label'], 'Danish label');
    check(await page.inputValue('#units') === 'km', 'kilometres by default in Danish');
    await axe(page, 'da, before a search');
    await page.fill('#q', 'Rock Springs, WY');
    await page.press('#q', 'Enter');
    await stores(page).nth(0).waitFor();
    const a = await api(page, 'q=Rock+Springs%2C+WY&k=5&radius=100km');
    const dists = await page.locator('#list li.store .dist').allTextContents();
    check(JSON.stringify(dists) === JSON.stringify(a.stores.map((s) => distance('da', s.distance_km, 'km'))),
          `distances in km, written the Danish way: ${dists}`);
    const n = a.stores.length, title = await page.textContent('#results-title');
    check(title === fill(da[n === 1 ? 'locate.found.one' : 'locate.found.other'], {n, place: 'Rock Springs, WY, US'}),
          `Danish results heading: ${title}`);
    check((await stores(page).nth(0).locator('a.directions').textContent()).startsWith(da['locate.directions']),
          'Danish directions link');
    await axe(page, 'da, after a search');
    await page.screenshot({path: path.join(artifacts, 'rock-springs-da.png')});
    // the switcher: Español keeps the search, and the language stays in the address
    await page.click('nav.langs a[hreflang=es]');
    await page.waitForFunction(() => document.documentElement.lang === 'es');
    await stores(page).nth(0).waitFor();
    check(page.url().includes('q=Rock+Springs%2C+WY') && page.url().includes('lang=es'), `switcher keeps the search: ${page.url()}`);
    check(await page.inputValue('#q') === 'Rock Springs, WY', 'the search box keeps the place');
    check(await page.getAttribute('nav.langs a[aria-current]', 'hreflang') === 'es', 'the switcher marks Español');
    check(await page.textContent('h1') === catalog.es['locate.title'], 'Spanish heading after the switch');
    await page.fill('#q', '82901');
    await page.press('#q', 'Enter');
    await page.waitForURL(/q=82901/);
    check(new URL(page.url()).searchParams.get('lang') === 'es', `a new search keeps lang=es: ${page.url()}`);
    await page.context().close();
  }
  {
    const page = await newPage({locale: 'da-DK'});
    await page.goto(base + '/?lang=es');
    check(await page.getAttribute('html', 'lang') === 'es', '?lang=es wins over Accept-Language da');
    check(await page.textContent('#go') === catalog.es['locate.go'], 'Spanish search button');
    await axe(page, 'es, before a search');
    await page.context().close();
  }

  // 2. far from every store, in Danish: how far the nearest is, then "show it anyway"
  {
    const page = await newPage({locale: 'da-DK'});
    await page.goto(base + '/');
    await page.fill('#q', 'København');
    await page.press('#q', 'Enter');
    await page.waitForSelector('#show-nearest');
    const near = await api(page, 'q=K%C3%B8benhavn&k=1');
    const where = [near.origin.name, near.origin.region, near.origin.country].join(', ');
    const want = fill(catalog.da['locate.far'], {radius: distance('da', 100, 'km'), place: where,
                                                 distance: distance('da', near.stores[0].distance_km, 'km')});
    const status = await page.textContent('#status');
    check(status.startsWith(want), `far-away message: "${status}", wanted "${want}"`);
    check(/\d\.\d{3} km/.test(want) && near.stores[0].distance_km > 1000, `the nearest store is thousands of km away: ${want}`);
    check(await stores(page).count() === 0, 'no stores listed as if they were near');
    await axe(page, 'da, far from every store');
    await page.screenshot({path: path.join(artifacts, 'kobenhavn-far-da.png')});
    await page.click('#show-nearest');
    await stores(page).nth(0).waitFor();
    check(await stores(page).nth(0).locator('h3').textContent() === near.stores[0].name, 'the nearest store shown anyway');
    check(new URL(page.url()).searchParams.get('radius') === 'any', `"any distance" in the address: ${page.url()}`);
    await page.context().close();
  }

  // 3. place names without tiles at three zoom levels, never overlapping each other, the
  //    pins or the map's controls; county lines up close in the United States
  {
    const page = await newPage();
    let last = null;
    page.on('response', async (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/v1/labels' && r.ok()) last = {zoom: Number(u.searchParams.get('zoom')), body: await r.json()};
    });
    await page.goto(base + '/?q=Rock+Springs%2C+WY&k=5&radius=any');
    await stores(page).nth(4).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.place-label').length > 0);
    for (const target of [7, 10, 4]) {
      for (let i = 0; i < 12 && !(last && last.zoom === target); i++) {
        const next = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/labels');
        await page.click(!last || last.zoom < target ? '.leaflet-control-zoom-in' : '.leaflet-control-zoom-out');
        await next;
        await page.waitForTimeout(100);
      }
      check(last && last.zoom === target, `the map reached zoom ${target}: ${last && last.zoom}`);
      await page.waitForTimeout(300);
      const d = await drawn(page);
      const names = new Set(last.body.labels.map((l) => l.name));
      check(d.labels.length >= 3, `zoom ${target}: place names drawn: ${d.labels.length}`);
      check(d.labels.every((l) => names.has(l.name)), `zoom ${target}: every name from /api/v1/labels`);
      const clash = [];
      d.labels.forEach((a, i) => d.labels.slice(i + 1).forEach((b) => { if (overlap(a, b)) clash.push(`${a.name}/${b.name}`); }));
      check(clash.length === 0, `zoom ${target}: no two names overlap: ${clash}`);
      check(d.labels.every((l) => d.pins.every((p) => !overlap(l, p))), `zoom ${target}: no name over a pin`);
      check(d.labels.every((l) => l.left >= d.map.left && l.right <= d.map.right && l.top >= d.map.top && l.bottom <= d.map.bottom),
            `zoom ${target}: every name inside the map`);
      if (target >= 7) {
        await page.waitForFunction(() => document.querySelector('.leaflet-counties-pane canvas'));
        await page.waitForTimeout(300);
        check(await countyPixels(page) > 500, `zoom ${target}: county lines drawn in Wyoming`);
      } else {
        check(await countyPixels(page) === 0, `zoom ${target}: no county lines from afar`);
      }
      await page.screenshot({path: path.join(artifacts, `labels-zoom${target}.png`)});
    }
    await axe(page, 'en, results with place names on the map');
    await page.context().close();
  }

  // 4. a phone, 360 by 640: after a search the nearest store's name, address, distance and
  //    directions are on the first screen; nothing wider than the screen; axe-core
  for (const lang of ['en', 'da', 'es']) {
    const page = await newPage({locale: {en: 'en-US', da: 'da-DK', es: 'es-ES'}[lang],
                                viewport: {width: 360, height: 640}, isMobile: true, hasTouch: true});
    await page.goto(base + '/');
    check(await page.getAttribute('html', 'lang') === lang, `${lang}: the phone gets its language`);
    await axe(page, `${lang}, phone, before a search`);
    await page.fill('#q', 'Rock Springs, WY');
    await page.press('#q', 'Enter');
    await stores(page).nth(0).waitFor();
    await page.waitForTimeout(300);
    const first = await page.evaluate(() => {
      const item = document.querySelector('#list li.store');
      const r = (sel) => item.querySelector(sel).getBoundingClientRect();
      return {scrollY: window.scrollY, width: document.documentElement.scrollWidth, height: window.innerHeight,
              parts: ['h3', '.addr', '.dist', 'a.directions'].map((sel) => ({sel, top: r(sel).top, bottom: r(sel).bottom}))};
    });
    check(first.scrollY === 0 && first.parts.every((p) => p.top >= 0 && p.bottom <= first.height),
          `${lang}: the nearest store on the first screen: ${JSON.stringify(first)}`);
    check(first.width <= 360, `${lang}: nothing wider than 360 px: ${first.width}`);
    await axe(page, `${lang}, phone, after a search`);
    await page.screenshot({path: path.join(artifacts, `phone-${lang}.png`)});
    await page.context().close();
  }

  // 5. with a tile layer the page draws no names and no counties of its own
  {
    const page = await newPage();
    let asked = 0;
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/labels') asked++; });
    await page.goto(tilesBase + '/?q=Rock+Springs%2C+WY&k=5&radius=any');
    await stores(page).nth(4).waitFor();
    await page.waitForTimeout(800);
    check(asked === 0 && await page.locator('.place-label').count() === 0, `no place names over tiles: ${asked} requests`);
    check(await page.locator('.leaflet-tile-pane img').count() > 0, 'the tile layer is there');
    await page.context().close();
  }

  // 6. the first paint of results after Enter: from the Enter key to the frame after the
  //    list's first store is in the page, over 21 searches of different places
  {
    const page = await newPage();
    await page.goto(base + '/?radius=any');
    await page.waitForSelector('.leaflet-base-pane canvas', {state: 'attached'});
    await page.evaluate(() => {
      const list = document.getElementById('list'), p = window.firstPaint = {t0: null, times: []};
      window.addEventListener('keydown', (e) => { if (e.key === 'Enter') p.t0 = performance.now(); }, true);
      new MutationObserver(() => {
        if (p.t0 === null || !list.firstElementChild) return;
        const t0 = p.t0;
        p.t0 = null;
        requestAnimationFrame(() => p.times.push(performance.now() - t0));
      }).observe(list, {childList: true});
    });
    const places = ['Rock Springs, WY', 'Denver', '10001', 'Chicago', 'Houston', 'Phoenix', 'Seattle', 'Miami',
                    'Boston', 'Atlanta', 'Dallas', 'Portland, OR', 'Las Vegas', 'Salt Lake City', 'Minneapolis',
                    'Kansas City', 'Nashville', 'Albuquerque', 'Omaha', 'Boise', 'Detroit'];
    for (let i = 0; i < places.length; i++) {
      await page.fill('#q', places[i]);
      await page.press('#q', 'Enter');
      await page.waitForFunction((n) => window.firstPaint.times.length === n, i + 1);
      await page.waitForTimeout(150);
    }
    const times = await page.evaluate(() => window.firstPaint.times);
    const sorted = [...times].sort((a, b) => a - b), median = sorted[Math.floor(sorted.length / 2)];
    const figure = {searches: times.length, median_ms: +median.toFixed(1), min_ms: +sorted[0].toFixed(1),
                    max_ms: +sorted[sorted.length - 1].toFixed(1), times_ms: times.map((t) => +t.toFixed(1))};
    writeFileSync(path.join(artifacts, 'first-paint.json'), JSON.stringify(figure, null, 1) + '\n');
    console.log(`first paint of results after Enter: median ${figure.median_ms} ms, min ${figure.min_ms}, max ${figure.max_ms} (${times.length} searches)`);
    check(times.length === places.length, `every search painted: ${times.length}`);
    check(median <= 300, `first paint of results within 300 ms of Enter: median ${median.toFixed(1)} ms`);
    await page.context().close();
  }

  check(problems.length === 0, 'no script errors or failed requests:\n  ' + problems.join('\n  '));
} catch (e) {
  fault(e);
} finally {
  await browser.close();
}
finish();
