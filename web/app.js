/* Re-Up store locator page: the search form, autocomplete, the result list and the map.
 * Everything it shows comes from reup-locate serve's API (docs/locator.md); the search
 * lives in the address so that a result can be shared, reloaded and gone back to. Its
 * words come from the catalogue the page carries (<script id="catalog">, the locate.*
 * keys of i18n/catalog/LANG.json), in the language of <html lang>. */
'use strict';

(function () {
  const KM_PER_MI = 1.609344;
  const SUGGEST_DELAY_MS = 120;
  const DEFAULT_RADIUS = '100';
  const $ = (id) => document.getElementById(id);
  const form = $('search'), input = $('q'), suggest = $('suggest'), status = $('status');
  const radiusSel = $('radius'), unitsSel = $('units'), kSel = $('k');
  const list = $('list'), title = $('results-title'), locateBtn = $('locate');

  /* ---- small DOM helpers: text only, never HTML from the server ---- */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }
  function placeLabel(p) {
    return [p.name, p.region, p.country].filter(Boolean).join(', ');
  }

  /* ---- words and numbers in the page's language ---- */
  const lang = document.documentElement.lang || 'en';
  let catalog = {};
  try { catalog = JSON.parse($('catalog').textContent); } catch (e) { /* keys show instead of words */ }
  /* The text of KEY with each {name} replaced by VARS[name]. */
  function t(key, vars) {
    const text = catalog[key] != null ? catalog[key] : key;
    return text.replace(/\{(\w+)\}/g, (m, name) => (vars && vars[name] != null ? String(vars[name]) : m));
  }
  /* KEY.one or KEY.other, as the language says for N things; {n} is N formatted. */
  const plurals = new Intl.PluralRules(lang);
  function tn(key, n, vars) {
    return t(key + (plurals.select(n) === 'one' ? '.one' : '.other'), {n: number(n), ...vars});
  }
  const numberFormats = {};
  function number(x, decimals) {
    const d = decimals || 0;
    if (!numberFormats[d]) numberFormats[d] = new Intl.NumberFormat(lang, {minimumFractionDigits: d, maximumFractionDigits: d});
    return numberFormats[d].format(x);
  }

  /* ---- units: the address's, else the language's: miles for English readers in the US,
   * the UK, Liberia and Myanmar (or with no region), kilometres for everyone else ---- */
  function defaultUnits() {
    if (lang !== 'en') return 'km';
    const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    const region = (langs[0] || '').split('-')[1] || '';
    return !region || ['US', 'GB', 'LR', 'MM'].includes(region.toUpperCase()) ? 'mi' : 'km';
  }
  function formatDistance(km, units) {
    const d = units === 'mi' ? km / KM_PER_MI : km;
    return t('locate.dist.' + units, {d: d < 10 ? number(d, 1) : number(Math.round(d))});
  }
  function compass(dir) {
    return catalog['locate.compass.' + dir] || dir;
  }

  /* ---- the search in the address ---- */
  /* radius: NUMBER+UNIT (100km), "any", or absent for the default (100 in the unit) */
  function stateFromUrl() {
    const p = new URLSearchParams(location.search);
    const s = {q: (p.get('q') || '').trim(), lat: p.get('lat'), lon: p.get('lon'), k: p.get('k') || '5',
               radius: DEFAULT_RADIUS, units: p.get('units') || ''};
    const r = p.get('radius') || '';
    const m = /^(\d+(?:\.\d+)?)(mi|km)$/.exec(r);
    if (m) { s.radius = m[1]; s.units = s.units || m[2]; }
    else if (r === 'any') s.radius = '';
    if (!['mi', 'km'].includes(s.units)) s.units = defaultUnits();
    if (!/^\d+$/.test(s.k)) s.k = '5';
    return s;
  }
  /* The language chosen in the address stays in every address the page writes. */
  const chosenLang = new URLSearchParams(location.search).get('lang');
  function urlFor(s) {
    const p = new URLSearchParams();
    if (s.lat != null && s.lon != null) { p.set('lat', s.lat); p.set('lon', s.lon); }
    else p.set('q', s.q);
    p.set('k', s.k);
    if (s.radius) p.set('radius', s.radius + s.units);
    else { p.set('radius', 'any'); p.set('units', s.units); }
    if (chosenLang) p.set('lang', chosenLang);
    return '/?' + p.toString();
  }
  /* The language links keep the search on screen. */
  function updateLanguageLinks() {
    const p = new URLSearchParams(location.search);
    for (const a of document.querySelectorAll('nav.langs a[hreflang]')) {
      p.set('lang', a.hreflang);
      a.href = '/?' + p.toString();
    }
  }
  function apiFor(s) {
    const p = new URLSearchParams();
    if (s.lat != null && s.lon != null) { p.set('lat', s.lat); p.set('lon', s.lon); }
    else p.set('q', s.q);
    p.set('k', s.k);
    if (s.radius) p.set('radius', s.radius + s.units);
    return '/api/v1/stores?' + p.toString();
  }
  function showState(s) {
    input.value = s.lat != null && s.lon != null ? '' : s.q;
    unitsSel.value = s.units;
    selectValue(radiusSel, s.radius);
    selectValue(kSel, s.k);
  }
  /* A value from a shared address that the form does not list is added, not dropped. */
  function selectValue(sel, v) {
    if (![...sel.options].some((o) => o.value === v))
      sel.append(el('option', {value: v}, v));
    sel.value = v;
  }
  function formState() {
    return {q: input.value.trim(), lat: null, lon: null, k: kSel.value, radius: radiusSel.value,
            units: unitsSel.value};
  }

  /* ---- messages ---- */
  /* KIND 'quiet': for screen readers only, when the page already shows it as a heading */
  function say(text, kind, ...extra) {
    status.className = kind || '';
    status.replaceChildren(el('p', kind === 'quiet' ? {class: 'sr-only'} : {}, text), ...extra);
  }
  function retryButton(s) {
    return el('button', {type: 'button', onclick: () => run(s, false)}, t('locate.retry'));
  }
  function choices(label, items, pick) {
    const ul = el('ul', {class: 'choices'});
    for (const it of items)
      ul.append(el('li', {}, el('button', {type: 'button', onclick: () => pick(it)}, it)));
    return el('div', {}, el('p', {}, label), ul);
  }

  /* ---- the map: an offline base of country and state borders, then the results ---- */
  let map = null, resultLayer = null, markers = [];
  function initMap() {
    if (!window.L) return;
    map = L.map('map', {worldCopyJump: true, zoomSnap: 0.25, minZoom: 1, maxZoom: 18});
    map.setView([30, -40], 2);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.attributionControl.addAttribution(t('locate.map.credits'));
    map.createPane('base').style.zIndex = 250;
    const renderer = L.canvas({pane: 'base'});
    base('atlas/countries-50m.json', (topo) =>
      L.geoJSON(continuous(topojson.feature(topo, topo.objects.countries)),
                {renderer, interactive: false, style: {color: '#8a8f98', weight: 0.8, fillColor: '#f4f1ea', fillOpacity: 1}}));
    base('atlas/states-10m.json', (topo) =>
      L.geoJSON(topojson.mesh(topo, topo.objects.states, (a, b) => a !== b),
                {renderer, interactive: false, style: {color: '#a9aeb6', weight: 0.7, dashArray: '3 3'}}));
    fetch('config.json').then((r) => (r.ok ? r.json() : null)).catch(() => null).then((cfg) => {
      if (cfg && cfg.tiles && cfg.tiles.url)
        L.tileLayer(cfg.tiles.url, {attribution: cfg.tiles.attribution || '', maxZoom: 19}).addTo(map);
      else
        startOfflineDetail(); /* the tiles carry names and counties of their own */
    });
    resultLayer = L.layerGroup().addTo(map);
  }
  function base(file, make) {
    return fetch(file).then((r) => (r.ok ? r.json() : Promise.reject(new Error(file))))
      .then((topo) => make(topo).addTo(map))
      .catch(() => null); /* the markers and the list still work without borders */
  }

  /* ---- without tiles: place names and, in the United States up close, county lines ---- */
  const LABEL_DELAY_MS = 150;
  const LABEL_GAP_PX = 3;
  const COUNTY_ZOOM = 7;
  const US_BOUNDS = [[17.5, -180], [72, -64]];
  let labelPane = null, labelData = [], labelZoom = 0, labelTimer = 0, labelAbort = null, moving = false;
  let counties = null, countiesAsked = false;
  function startOfflineDetail() {
    map.attributionControl.addAttribution(t('locate.map.places'));
    labelPane = map.createPane('labels');
    labelPane.style.zIndex = 450; /* above the borders and the results' lines, below the pins (600) */
    labelPane.style.pointerEvents = 'none';
    map.createPane('counties').style.zIndex = 260;
    map.on('zoomstart', () => labelPane.replaceChildren());
    map.on('movestart', () => { moving = true; });
    map.on('moveend', () => { moving = false; scheduleLabels(); showCounties(); });
    scheduleLabels();
    showCounties();
  }
  function scheduleLabels() {
    clearTimeout(labelTimer);
    labelTimer = setTimeout(fetchLabels, LABEL_DELAY_MS);
  }
  const wrapWest = (x) => ((x + 180) % 360 + 360) % 360 - 180;   /* -180 <= x < 180 */
  const wrapEast = (x) => 180 - ((180 - x) % 360 + 360) % 360;  /* -180 < x <= 180 */
  async function fetchLabels() {
    const b = map.getBounds(), zoom = Math.max(0, Math.min(20, Math.round(map.getZoom())));
    let west = b.getWest(), east = b.getEast();
    if (east - west >= 360) { west = -180; east = 180; } else { west = wrapWest(west); east = wrapEast(east); }
    const box = [west, Math.max(-90, b.getSouth()), east, Math.min(90, b.getNorth())].map((x) => x.toFixed(4));
    if (labelAbort) labelAbort.abort();
    const ask = labelAbort = new AbortController();
    try {
      const r = await fetch(`/api/v1/labels?bbox=${box.join(',')}&zoom=${zoom}`, {signal: ask.signal});
      if (!r.ok) return;
      const data = await r.json();
      if (ask !== labelAbort) return;
      labelData = data.labels || [];
      labelZoom = zoom;
      placeLabels();
    } catch (e) { /* a newer view superseded it, or the server is away: the map works without names */ }
  }
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  /* Names in the server's order (lowest rank, then most people), each centred on its place;
   * one that would touch a name already placed, a pin or a control, or stick out of the
   * map, is left out. */
  function placeLabels() {
    if (!labelPane) return;
    labelPane.replaceChildren();
    const lng = map.getCenter().lng, frame = map.getContainer().getBoundingClientRect();
    const items = labelData.map((p) => {
      const at = [p.lat, p.lon + 360 * Math.round((lng - p.lon) / 360)]; /* the world copy in view */
      const e = el('span', {class: p.rank + 3 <= labelZoom ? 'place-label major' : 'place-label'}, p.name);
      L.DomUtil.setPosition(e, map.latLngToLayerPoint(at));
      labelPane.append(e);
      return {e, pt: map.latLngToContainerPoint(at)};
    });
    const taken = [...map.getContainer().querySelectorAll('.leaflet-marker-icon, .leaflet-control')]
      .map((m) => pad(m.getBoundingClientRect()));
    for (const it of items) it.size = it.e.getBoundingClientRect(); /* one layout for all of them */
    for (const it of items) {
      const w = it.size.width, h = it.size.height;
      const left = frame.left + it.pt.x - w / 2, top = frame.top + it.pt.y - h / 2;
      const box = {left, top, right: left + w, bottom: top + h};
      const outside = box.left < frame.left || box.top < frame.top || box.right > frame.right || box.bottom > frame.bottom;
      if (outside || taken.some((o) => overlaps(o, box))) { it.e.remove(); continue; }
      it.e.style.marginLeft = -w / 2 + 'px';
      it.e.style.marginTop = -h / 2 + 'px';
      taken.push(pad(box));
    }
  }
  function pad(r) {
    return {left: r.left - LABEL_GAP_PX, top: r.top - LABEL_GAP_PX, right: r.right + LABEL_GAP_PX, bottom: r.bottom + LABEL_GAP_PX};
  }
  /* County lines inside each state (the state lines are drawn already), fetched the first
   * time a close view of the United States asks for them. */
  function showCounties() {
    const want = Math.round(map.getZoom()) >= COUNTY_ZOOM && map.getBounds().intersects(US_BOUNDS);
    if (want && !countiesAsked) {
      countiesAsked = true;
      base('atlas/counties-10m.json', (topo) =>
        L.geoJSON(topojson.mesh(topo, topo.objects.counties, (a, b) => a !== b && a.id.slice(0, 2) === b.id.slice(0, 2)),
                  {renderer: L.canvas({pane: 'counties'}), interactive: false,
                   style: {color: '#b4a89a', weight: 0.6, dashArray: '1 2'}}))
        .then((layer) => { counties = layer; showCounties(); });
      return;
    }
    if (!counties) return;
    if (want && !map.hasLayer(counties)) counties.addTo(map);
    else if (!want && map.hasLayer(counties)) map.removeLayer(counties);
  }

  /* Rings that cross the 180th meridian (Russia, Fiji) would be drawn as lines across the
   * whole map: each point is moved by whole turns to lie next to the one before it.
   * Antarctica, which wraps the pole and has no stores, is left out. */
  function continuous(countries) {
    countries.features = countries.features.filter((f) => f.id !== '010');
    for (const f of countries.features) {
      const g = f.geometry;
      const polygons = !g ? [] : g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
      for (const rings of polygons)
        for (const ring of rings)
          for (let i = 1; i < ring.length; i++) {
            while (ring[i][0] - ring[i - 1][0] > 180) ring[i][0] -= 360;
            while (ring[i][0] - ring[i - 1][0] < -180) ring[i][0] += 360;
          }
    }
    return countries;
  }

  function highlight(i, on, from) {
    const item = list.children[i], m = markers[i];
    if (item) item.classList.toggle('active', on);
    if (m) {
      const icon = m.getElement();
      if (icon) icon.classList.toggle('active', on);
      m.setZIndexOffset(on ? 1000 : 0);
    }
    if (on && from === 'map' && item) item.scrollIntoView({block: 'nearest'});
  }

  function popupFor(store, units, origin) {
    return el('div', {class: 'popup'},
      el('strong', {}, store.name),
      el('div', {}, store.address),
      el('div', {}, [store.city, store.region].filter(Boolean).join(', ') + ' ' + store.postal),
      el('div', {class: 'dist'}, formatDistance(store.distance_km, units) + ' ' + compass(store.direction)),
      directionsLink(origin, store));
  }
  function directionsLink(origin, store) {
    const route = `${origin.lat},${origin.lon};${store.lat},${store.lon}`;
    return el('a', {href: 'https://www.openstreetmap.org/directions?route=' + encodeURIComponent(route),
                    target: '_blank', rel: 'noopener', class: 'directions'},
              t('locate.directions'), el('span', {class: 'sr-only'}, ' ' + t('locate.directions.to', {name: store.name})));
  }

  /* ---- results ---- */
  function clearResults() {
    list.replaceChildren();
    title.hidden = true;
    markers = [];
    if (resultLayer) resultLayer.clearLayers();
  }

  /* After a search on a narrow screen the choices fold away, so that the nearest store
   * shows on the first screen; they stay one tap away. */
  const narrow = window.matchMedia('(max-width: 759px)');
  function compactForm() {
    document.body.classList.add('searched');
    if (narrow.matches) $('options').open = false;
  }

  /* NEAREST: the nearest store at any distance, asked for when none is within the radius. */
  function render(s, data, nearest) {
    clearResults();
    const origin = data.origin, units = s.units;
    const where = origin.kind === 'position' || !origin.name ? t('locate.your_location') : placeLabel(origin);
    const n = data.stores.length;
    title.textContent = n ? tn('locate.found', n, {place: where}) : '';
    title.hidden = !n;
    if (!n && s.radius && nearest) {
      const radius = t('locate.dist.' + units, {d: number(Number(s.radius), s.radius.includes('.') ? 1 : 0)});
      say(t('locate.far', {radius, place: where, distance: formatDistance(nearest.distance_km, units)}), 'notice',
          el('button', {type: 'button', id: 'show-nearest', onclick: () => run({...s, radius: ''}, true)},
             t('locate.show_nearest')));
    } else if (!n) {
      say(t('locate.none', {place: where}), 'notice');
    } else {
      say(t('locate.showing', {what: title.textContent}), 'quiet');
    }
    if (data.alternatives && data.alternatives.length) {
      status.append(choices(t('locate.alternatives'), data.alternatives.map(placeLabel),
                            (label) => run({...s, q: label, lat: null, lon: null}, true)));
    }
    data.stores.forEach((st, i) => {
      const item = el('li', {tabindex: '0', class: 'store', 'data-id': st.id},
        el('span', {class: 'num', 'aria-hidden': 'true'}, String(i + 1)),
        el('div', {class: 'body'},
          el('h3', {}, st.name),
          el('div', {class: 'addr'}, st.address + ', ' + [st.city, st.region].filter(Boolean).join(', ') + ' ' + st.postal),
          el('div', {class: 'meta'},
            el('span', {class: 'dist'}, formatDistance(st.distance_km, units)),
            el('span', {class: 'dir'}, ' ' + compass(st.direction) + ' · '),
            directionsLink(origin, st))));
      item.addEventListener('mouseenter', () => highlight(i, true, 'list'));
      item.addEventListener('mouseleave', () => highlight(i, false, 'list'));
      item.addEventListener('focus', () => highlight(i, true, 'list'));
      item.addEventListener('blur', () => highlight(i, false, 'list'));
      const open = () => { if (markers[i] && map) { map.panTo(markers[i].getLatLng()); markers[i].openPopup(); } };
      item.addEventListener('click', (e) => { if (!e.target.closest('a')) open(); });
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && e.target === item) { e.preventDefault(); open(); }
        else if (e.key === 'ArrowDown' && item.nextElementSibling) { e.preventDefault(); item.nextElementSibling.focus(); }
        else if (e.key === 'ArrowUp' && item.previousElementSibling) { e.preventDefault(); item.previousElementSibling.focus(); }
      });
      list.append(item);
    });
    compactForm();
    if (!map) return;
    const points = [[origin.lat, origin.lon]];
    L.marker([origin.lat, origin.lon], {
      icon: L.divIcon({className: 'origin-pin', html: '', iconSize: [18, 18]}),
      title: t('locate.searched_from', {place: where}), alt: '', keyboard: false, zIndexOffset: -100,
    }).bindPopup(el('div', {class: 'popup'}, el('strong', {}, t('locate.you_searched_from')), el('div', {}, where)))
      .addTo(resultLayer);
    data.stores.forEach((st, i) => {
      const m = L.marker([st.lat, st.lon], {
        icon: L.divIcon({className: 'store-pin', html: `<span>${i + 1}</span>`, iconSize: [28, 28]}),
        title: `${i + 1}. ${st.name}`, alt: `${i + 1}. ${st.name}`, riseOnHover: true,
      }).bindPopup(popupFor(st, units, origin)).addTo(resultLayer);
      m.on('mouseover', () => highlight(i, true, 'map'));
      m.on('mouseout', () => highlight(i, false, 'map'));
      m.on('popupopen', () => highlight(i, true, 'map'));
      m.on('popupclose', () => highlight(i, false, 'map'));
      m.getElement().addEventListener('focus', () => highlight(i, true, 'map'));
      m.getElement().addEventListener('blur', () => highlight(i, false, 'map'));
      markers.push(m);
      points.push([st.lat, st.lon]);
    });
    map.invalidateSize();
    if (points.length > 1) map.fitBounds(points, {padding: [36, 36], maxZoom: 12});
    else map.setView(points[0], 9);
    /* a view that did not move (or moved at once) has its names placed around the new pins
     * now; one still gliding there gets them when it arrives (moveend) */
    if (!moving) placeLabels();
  }

  /* ---- running a search ---- */
  let searchSeq = 0;
  async function getJson(url) {
    const res = await fetch(url, {headers: {Accept: 'application/json'}});
    return {res, data: await res.json()};
  }
  async function run(s, push) {
    const seq = ++searchSeq;
    if (push) history.pushState(null, '', urlFor(s));
    updateLanguageLinks();
    showState(s);
    closeSuggest();
    document.body.classList.add('busy');
    say(t('locate.searching'), 'busy');
    let res, data, nearest = null;
    try {
      ({res, data} = await getJson(apiFor(s)));
      /* nothing within the radius: how far is the nearest one? */
      if (res.ok && !data.stores.length && s.radius) {
        const far = await getJson(apiFor({...s, radius: '', k: '1'}));
        if (far.res.ok) nearest = far.data.stores[0] || null;
      }
    } catch (e) {
      if (seq !== searchSeq) return;
      document.body.classList.remove('busy');
      clearResults();
      say(t('locate.unreachable'), 'error', retryButton(s));
      return;
    }
    if (seq !== searchSeq) return;
    document.body.classList.remove('busy');
    if (res.ok) return render(s, data, nearest);
    clearResults();
    const err = (data && data.error) || {};
    const what = s.q || t('locate.that_position');
    if (res.status === 404 && err.suggestions && err.suggestions.length) {
      say(t('locate.unknown_place', {query: what}), 'notice',
          choices(t('locate.did_you_mean'), err.suggestions, (name) => run({...s, q: name}, true)));
    } else if (err.code === 'place_not_found' || err.code === 'postal_code_not_found') {
      say(t('locate.unknown', {query: what}), 'notice');
    } else if (res.status === 429) {
      say(t('locate.rate_limited'), 'error', retryButton(s));
    } else if (res.status === 400 || res.status === 413) {
      say(t('locate.refused', {reason: err.message || t('locate.not_understood')}), 'notice');
    } else {
      say(t('locate.unavailable'), 'error', retryButton(s));
    }
  }

  /* ---- autocomplete ---- */
  let options = [], active = -1, suggestTimer = 0, suggestAbort = null;
  function closeSuggest() {
    suggest.hidden = true;
    suggest.replaceChildren();
    options = [];
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    clearTimeout(suggestTimer);
    if (suggestAbort) suggestAbort.abort();
  }
  function setActive(i) {
    active = i;
    [...suggest.children].forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', suggest.children[i].id);
      suggest.children[i].scrollIntoView({block: 'nearest'});
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }
  function choose(i) {
    const p = options[i];
    closeSuggest();
    run({...formState(), q: p.query}, true);
  }
  async function fetchSuggestions(prefix) {
    if (suggestAbort) suggestAbort.abort();
    suggestAbort = new AbortController();
    try {
      const r = await fetch('/api/v1/places?limit=8&prefix=' + encodeURIComponent(prefix), {signal: suggestAbort.signal});
      if (!r.ok) return;
      const data = await r.json();
      if (input.value.trim() !== prefix || document.activeElement !== input) return;
      options = data.places || [];
      suggest.replaceChildren(...options.map((p, i) =>
        el('li', {id: 'suggest-' + i, role: 'option', 'aria-selected': 'false',
                  onmousedown: (e) => { e.preventDefault(); choose(i); }},
           el('span', {class: 'name'}, p.label),
           p.population ? el('span', {class: 'pop'}, ' · ' + t('locate.people', {n: number(p.population)})) : null)));
      active = -1;
      suggest.hidden = options.length === 0;
      input.setAttribute('aria-expanded', options.length ? 'true' : 'false');
    } catch (e) { /* aborted by a newer keystroke, or offline: the search button still works */ }
  }
  input.addEventListener('input', () => {
    clearTimeout(suggestTimer);
    const prefix = input.value.trim();
    if (prefix.length < 2 || /^\d/.test(prefix)) { closeSuggest(); return; }
    suggestTimer = setTimeout(() => fetchSuggestions(prefix), SUGGEST_DELAY_MS);
  });
  input.addEventListener('keydown', (e) => {
    const open = !suggest.hidden && options.length > 0;
    if (e.key === 'ArrowDown' && open) { e.preventDefault(); setActive((active + 1) % options.length); }
    else if (e.key === 'ArrowUp' && open) { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
    else if (e.key === 'Enter' && open && active >= 0) { e.preventDefault(); choose(active); }
    else if (e.key === 'Escape' && open) { e.preventDefault(); closeSuggest(); }
  });
  input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) closeSuggest(); }, 0));

  /* ---- the form ---- */
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const s = formState();
    if (!s.q) {
      say(t('locate.type_first'), 'notice');
      input.focus();
      return;
    }
    run(s, true);
  });
  /* A changed choice searches again from wherever the last search was. */
  for (const sel of [radiusSel, unitsSel, kSel]) {
    sel.addEventListener('change', () => {
      const last = stateFromUrl();
      const hasSearch = last.q || (last.lat != null && last.lon != null);
      if (hasSearch) run({...last, k: kSel.value, radius: radiusSel.value, units: unitsSel.value}, true);
    });
  }
  locateBtn.addEventListener('click', () => {
    if (!navigator.geolocation) {
      say(t('locate.geo.unsupported'), 'notice');
      return;
    }
    locateBtn.disabled = true;
    say(t('locate.geo.finding'), 'busy');
    navigator.geolocation.getCurrentPosition((pos) => {
      locateBtn.disabled = false;
      run({...formState(), q: '', lat: pos.coords.latitude.toFixed(5), lon: pos.coords.longitude.toFixed(5)}, true);
    }, (err) => {
      locateBtn.disabled = false;
      say(t(err.code === err.PERMISSION_DENIED ? 'locate.geo.denied' : 'locate.geo.failed'), 'notice');
    }, {timeout: 10000, maximumAge: 300000});
  });
  window.addEventListener('popstate', () => {
    const s = stateFromUrl();
    if (s.q || (s.lat != null && s.lon != null)) run(s, false);
    else { showState(s); clearResults(); say('', ''); }
    updateLanguageLinks();
  });

  initMap();
  const start = stateFromUrl();
  showState(start);
  updateLanguageLinks();
  if (start.q || (start.lat != null && start.lon != null)) run(start, false);
})();
