/* Re-Up store locator page: the search form, autocomplete, the result list and the map.
 * Everything it shows comes from reup-locate serve's API (docs/locator.md); the search
 * lives in the address so that a result can be shared, reloaded and gone back to. */
'use strict';

(function () {
  const KM_PER_MI = 1.609344;
  const SUGGEST_DELAY_MS = 120;
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

  /* ---- units: the address's, else the reader's locale ---- */
  function defaultUnits() {
    const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    const region = (langs[0] || '').split('-')[1] || '';
    return ['US', 'GB', 'LR', 'MM'].includes(region.toUpperCase()) ? 'mi' : 'km';
  }
  function formatDistance(km, units) {
    const d = units === 'mi' ? km / KM_PER_MI : km;
    const text = d < 10 ? d.toFixed(1) : Math.round(d).toLocaleString('en-US');
    return text + (units === 'mi' ? ' mi' : ' km');
  }

  /* ---- the search in the address ---- */
  function stateFromUrl() {
    const p = new URLSearchParams(location.search);
    const s = {q: (p.get('q') || '').trim(), lat: p.get('lat'), lon: p.get('lon'), k: p.get('k') || '5',
               radius: '', units: p.get('units') || ''};
    const m = /^(\d+(?:\.\d+)?)(mi|km)$/.exec(p.get('radius') || '');
    if (m) { s.radius = m[1]; s.units = s.units || m[2]; }
    if (!['mi', 'km'].includes(s.units)) s.units = defaultUnits();
    if (!/^\d+$/.test(s.k)) s.k = '5';
    return s;
  }
  function urlFor(s) {
    const p = new URLSearchParams();
    if (s.lat != null && s.lon != null) { p.set('lat', s.lat); p.set('lon', s.lon); }
    else p.set('q', s.q);
    p.set('k', s.k);
    if (s.radius) p.set('radius', s.radius + s.units);
    else p.set('units', s.units);
    return '/?' + p.toString();
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
      sel.append(el('option', {value: v}, sel === kSel ? v + ' stores' : v));
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
    return el('button', {type: 'button', onclick: () => run(s, false)}, 'Try again');
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
    map.attributionControl.addAttribution('Borders: Natural Earth, US Census Bureau');
    map.createPane('base').style.zIndex = 250;
    const renderer = L.canvas({pane: 'base'});
    const base = (file, make) =>
      fetch(file).then((r) => (r.ok ? r.json() : Promise.reject(new Error(file))))
        .then((topo) => { make(topo).addTo(map); })
        .catch(() => { /* the markers and the list still work without borders */ });
    base('atlas/countries-50m.json', (topo) =>
      L.geoJSON(continuous(topojson.feature(topo, topo.objects.countries)),
                {renderer, interactive: false, style: {color: '#8a8f98', weight: 0.8, fillColor: '#f4f1ea', fillOpacity: 1}}));
    base('atlas/states-10m.json', (topo) =>
      L.geoJSON(topojson.mesh(topo, topo.objects.states, (a, b) => a !== b),
                {renderer, interactive: false, style: {color: '#a9aeb6', weight: 0.7, dashArray: '3 3'}}));
    fetch('config.json').then((r) => (r.ok ? r.json() : null)).then((cfg) => {
      if (cfg && cfg.tiles && cfg.tiles.url)
        L.tileLayer(cfg.tiles.url, {attribution: cfg.tiles.attribution || '', maxZoom: 19}).addTo(map);
    }).catch(() => {});
    resultLayer = L.layerGroup().addTo(map);
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
      el('div', {class: 'dist'}, formatDistance(store.distance_km, units) + ' ' + store.direction),
      directionsLink(origin, store));
  }
  function directionsLink(origin, store) {
    const route = `${origin.lat},${origin.lon};${store.lat},${store.lon}`;
    return el('a', {href: 'https://www.openstreetmap.org/directions?route=' + encodeURIComponent(route),
                    target: '_blank', rel: 'noopener', class: 'directions'},
              'Directions', el('span', {class: 'sr-only'}, ' to ' + store.name + ' (opens a new tab)'));
  }

  /* ---- results ---- */
  function clearResults() {
    list.replaceChildren();
    title.hidden = true;
    markers = [];
    if (resultLayer) resultLayer.clearLayers();
  }

  function render(s, data) {
    clearResults();
    const origin = data.origin, units = s.units;
    const where = origin.kind === 'position' || !origin.name ? 'your location' : placeLabel(origin);
    const n = data.stores.length;
    title.textContent = n ? `${n} ${n === 1 ? 'store' : 'stores'} nearest ${where}` : '';
    title.hidden = !n;
    if (!n) {
      const wider = s.radius
        ? el('button', {type: 'button', onclick: () => run({...s, radius: ''}, true)}, 'Search at any distance')
        : null;
      say(s.radius ? `No stores within ${s.radius} ${units} of ${where}.`
                   : `No stores were found near ${where}.`, 'notice', wider);
    } else {
      say(`Showing ${title.textContent}.`, 'quiet');
    }
    if (data.alternatives && data.alternatives.length) {
      status.append(choices('Not the place you meant? Search near:', data.alternatives.map(placeLabel),
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
            el('span', {class: 'dir'}, ' ' + st.direction + ' · '),
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
    if (!map) return;
    const points = [[origin.lat, origin.lon]];
    L.marker([origin.lat, origin.lon], {
      icon: L.divIcon({className: 'origin-pin', html: '', iconSize: [18, 18]}),
      title: 'Searched from: ' + where, alt: '', keyboard: false, zIndexOffset: -100,
    }).bindPopup(el('div', {class: 'popup'}, el('strong', {}, 'You searched from'), el('div', {}, where)))
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
  }

  /* ---- running a search ---- */
  let searchSeq = 0;
  async function run(s, push) {
    const seq = ++searchSeq;
    if (push) history.pushState(null, '', urlFor(s));
    showState(s);
    closeSuggest();
    document.body.classList.add('busy');
    say('Searching…', 'busy');
    let res, data;
    try {
      res = await fetch(apiFor(s), {headers: {Accept: 'application/json'}});
      data = await res.json();
    } catch (e) {
      if (seq !== searchSeq) return;
      document.body.classList.remove('busy');
      clearResults();
      say('The store locator cannot be reached right now. Check your internet connection, then try again.',
          'error', retryButton(s));
      return;
    }
    if (seq !== searchSeq) return;
    document.body.classList.remove('busy');
    if (res.ok) return render(s, data);
    clearResults();
    const err = (data && data.error) || {};
    const what = s.q ? `“${s.q}”` : 'that position';
    if (res.status === 404 && err.suggestions && err.suggestions.length) {
      say(`No place called ${what} is known.`, 'notice',
          choices('Did you mean:', err.suggestions, (name) => run({...s, q: name}, true)));
    } else if (err.code === 'place_not_found' || err.code === 'postal_code_not_found') {
      say(`No place or ZIP code called ${what} is known. Check the spelling, or add the state or country: “Springfield, IL”.`, 'notice');
    } else if (res.status === 429) {
      say('Too many searches from your network just now. Wait a second, then try again.', 'error', retryButton(s));
    } else if (res.status === 400 || res.status === 413) {
      say(`That search cannot be used: ${err.message || 'the request was not understood'}.`, 'notice');
    } else {
      say('The store list is not available right now. Please try again in a minute.', 'error', retryButton(s));
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
           p.population ? el('span', {class: 'pop'}, ' · ' + p.population.toLocaleString('en-US') + ' people') : null)));
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
      say('Type a city, place or ZIP code first, or use your location.', 'notice');
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
      say('This browser cannot tell your location. Type your city or ZIP code instead.', 'notice');
      return;
    }
    locateBtn.disabled = true;
    say('Finding your location…', 'busy');
    navigator.geolocation.getCurrentPosition((pos) => {
      locateBtn.disabled = false;
      run({...formState(), q: '', lat: pos.coords.latitude.toFixed(5), lon: pos.coords.longitude.toFixed(5)}, true);
    }, (err) => {
      locateBtn.disabled = false;
      say(err.code === err.PERMISSION_DENIED
        ? 'Your location was not shared. Type your city or ZIP code instead.'
        : 'Your location cannot be found right now. Type your city or ZIP code instead.', 'notice');
    }, {timeout: 10000, maximumAge: 300000});
  });
  window.addEventListener('popstate', () => {
    const s = stateFromUrl();
    if (s.q || (s.lat != null && s.lon != null)) run(s, false);
    else { showState(s); clearResults(); say('', ''); }
  });

  initMap();
  const start = stateFromUrl();
  showState(start);
  if (start.q || (start.lat != null && start.lon != null)) run(start, false);
})();
