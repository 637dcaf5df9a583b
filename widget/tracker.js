/* tracker.js: the first-party clickstream tracker, served at /t.js (docs/ANALYTICS.md).
 *
 * The widget (gate.js) loads it only once analytics is granted and data-tracker is not
 * "off", and never twice in a page. It stops for good on withdrawal (the widget's
 * consent:change event, or a consent cookie that no longer grants analytics): listeners
 * removed, queue dropped, Consent.track inert.
 *
 * Events: pageview (also on single-page-app history navigation), outbound link click,
 * file download (extensions: the widget tag's data-downloads, comma-separated), engagement
 * (engaged time and scroll depth, on visibilitychange to hidden, pagehide and SPA
 * navigation) and custom (Consent.track(name, props)). They are batched for up to a second
 * and sent as text/plain JSON with navigator.sendBeacon (else fetch keepalive), each with
 * the visitor id and token read from the consent cookie at send time.
 *
 * Built by widget/tracker.py (rjsmin: whitespace and comments only); budget 2,000 B gzip -9.
 */
try {
(() => {
  'use strict';
  const W = window, D = document, L = location, N = navigator, S = D.currentScript;
  if (W.__consentTracker || !S) return;
  W.__consentTracker = 1;
  const C = W.Consent || {},
    T = D.querySelector('script[data-site]') || S,
    URL_ = S.src.replace(/\/t(\.\w+)?\.js([?#].*)?$/, '') + '/api/v1/sites/' +
      encodeURIComponent(T.getAttribute('data-site')) + '/events',
    EXT = (T.getAttribute('data-downloads') ||
      'pdf,zip,gz,tgz,rar,7z,dmg,exe,msi,apk,iso,csv,txt,rtf,doc,docx,xls,xlsx,ppt,pptx,odt,ods,epub,mp3,mp4,mov,wav')
      .toLowerCase().split(/[\s,.]+/),
    q = [], off = [],
    safe = f => (...a) => { try { return f(...a); } catch (e) {} },
    cut = (s, n) => s ? String(s).slice(0, n) : void 0;
  let stop = 0, timer = 0, page = 0, ref = D.referrer,
    seen = D.visibilityState == 'visible' ? Date.now() : 0, engaged = 0, depth = 0;

  // The consent cookie (written by the server or the widget): {id, token, c: {analytics}}.
  function who() {
    try {
      const m = D.cookie.match(/(?:^|;\s*)consent=([^;]*)/);
      return m && JSON.parse(decodeURIComponent(m[1]));
    } catch (e) {}
  }

  function halt() {
    stop = 1;
    q.length = 0;
    clearTimeout(timer);
    for (const [t, n, f] of off) t.removeEventListener(n, f, true);
  }

  function send() {
    clearTimeout(timer);
    timer = 0;
    if (stop || !q.length) return;
    const v = who();
    if (v && v.c && !v.c.analytics) return halt(); // withdrawn (perhaps in another tab)
    if (!v || !v.token) { // the choice is still being recorded: try again shortly
      q.splice(0, q.length - 50);
      timer = setTimeout(safe(send), 2e3);
      return;
    }
    let b = [];
    const go = () => {
      const body = JSON.stringify(b);
      b = [];
      if (!(N.sendBeacon && N.sendBeacon(URL_, body)))
        fetch(URL_, {method: 'POST', body, keepalive: true, credentials: 'omit',
          headers: {'Content-Type': 'text/plain'}}).catch(() => {});
    };
    for (const e of q.splice(0)) {
      e.visitor_id = v.id;
      e.token = v.token;
      if (b.length > 19 || b.length && JSON.stringify(b.concat(e)).length > 7e3) go();
      b.push(e);
    }
    go();
  }

  function ev(type, x, url) {
    if (stop) return;
    q.push(Object.assign({type, url: cut(url || L.href, 2e3)}, x));
    timer = timer || setTimeout(safe(send), 1e3);
  }

  function measure() {
    const h = D.documentElement.scrollHeight;
    depth = Math.max(depth, h ? Math.min(100, Math.round((scrollY + innerHeight) / h * 100)) : 100);
  }

  // Engaged time (while the page is visible) and scroll depth of the current page, once.
  function engage(leaving) {
    if (seen) engaged += Date.now() - seen;
    seen = !leaving && D.visibilityState == 'visible' ? Date.now() : 0;
    if (page && engaged > 0) ev('engagement', {duration_ms: Math.min(engaged, 864e5) | 0, scroll: depth}, page);
    engaged = depth = 0;
    measure();
  }

  function pageview() {
    const u = L.href.split('#')[0];
    if (u == page) return;
    engage();
    ev('pageview', {referrer: cut(ref, 2e3), title: cut(D.title, 300)});
    ref = page = u;
  }

  function click(e) {
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || !/^https?:$/.test(a.protocol)) return;
    const dl = a.hasAttribute('download') || /\.\w+$/.test(a.pathname) && EXT.includes(a.pathname.split('.').pop().toLowerCase());
    if (dl || a.host != L.host) {
      ev(dl ? 'download' : 'outbound', {target: cut(a.href, 2e3)});
      send(); // the page may be leaving
    }
  }

  const on = (t, n, f) => { f = safe(f); t.addEventListener(n, f, true); off.push([t, n, f]); };
  on(D, 'click', click);
  on(D, 'auxclick', click);
  on(W, 'scroll', measure);
  on(W, 'popstate', pageview);
  on(W, 'pagehide', () => { engage(1); send(); });
  on(D, 'visibilitychange', () => { if (D.visibilityState == 'hidden') engage(1), send(); else seen = Date.now(); });
  on(D, 'consent:change', e => { if (!(e.detail || {}).analytics) halt(); });
  for (const m of ['pushState', 'replaceState']) {
    const f = history[m];
    history[m] = function () {
      const r = f.apply(this, arguments);
      if (!stop) safe(pageview)();
      return r;
    };
  }

  // Consent.track(name, props): props a flat object of at most 20 scalars.
  C.track = safe((name, props) => {
    const p = {};
    let n = 0;
    for (const k of Object.keys(Object(props))) {
      const x = props[k], t = typeof x;
      if (n < 20 && k.length <= 40 && (t == 'string' || t == 'boolean' || t == 'number' && isFinite(x)))
        p[k] = t == 'string' ? x.slice(0, 200) : x, n++;
    }
    if (name) ev('custom', {name: cut(name, 100), props: n ? p : void 0});
  });
  pageview();
  for (const a of (C.tq || []).splice(0)) C.track(...a);
})();
} catch (e) {}
