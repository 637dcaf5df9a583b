/* core.js: consent state without UI. Consent Mode, the consent cookie, the API client.
 *
 * The build (widget/__init__.py) concatenates core.js, gate.js, banner.js and boot.js in
 * that order into one strict-mode function (no globals but window.Consent, dataLayer and
 * gtag), embeds the minified CSS (see style()), and minifies with rjsmin, which only
 * strips whitespace and comments: names are kept short by hand where it pays.
 */

const W = window, D = document;
// Loaded twice on one page: the first copy does the work.
if (W.Consent && W.Consent.get) return;

// 1. Google Consent Mode v2 defaults, synchronously, before anything else can run.
const MODE = 'ad_storage ad_user_data ad_personalization analytics_storage functionality_storage personalization_storage'.split(' ');
W.dataLayer = W.dataLayer || [];
if (typeof W.gtag != 'function') W.gtag = function gtag() { W.dataLayer.push(arguments); };
// Errors never reach the page: every entry point goes through safe(), calls to the page's gtag too.
const safe = f => (...a) => { try { return f(...a); } catch (e) {} },
  gtag = safe((...a) => W.gtag(...a));
{
  const d = {};
  for (const k of MODE) d[k] = 'denied';
  d.security_storage = 'granted';
  d.wait_for_update = 500;
  gtag('consent', 'default', d);
}

// 2. The script tag's attributes, read while document.currentScript is set.
const S = D.currentScript || D.querySelector('script[data-site]') || D.createElement('script'),
  attr = (e, n) => e.getAttribute(n),
  enc = encodeURIComponent,
  API = (attr(S, 'data-api') || new URL(S.src || location).origin).replace(/\/+$/, ''),
  LANG = attr(S, 'data-lang'),
  TRACKER = attr(S, 'data-tracker') != 'off', // the clickstream tracker (gate.js, /t.js)
  GPC = navigator.globalPrivacyControl === true,
  GEO = new URLSearchParams(location.search).get('geo'), // a pretend location: honoured only where the server allows it
  QS = (GPC ? '&gpc=1' : '') + (GEO ? '&geo=' + enc(GEO) : ''),
  BASE = API + '/api/v1/sites/' + enc(attr(S, 'data-site') || '');

// 3. State: `state` maps each non-required category key to true/false; unknown = denied.
let cfg = null, // the site config, once fetched
  state = {},
  last = null, // the last decided choice (cookie or this page): a revocation is measured against it and the state
  valid = 0, // a choice valid for the current revision exists (nothing to ask)
  lockAd = 0, // opt-out regime + GPC: advertising stays off, nothing on this page turns it on
  vid = null, tok = null, // visitor id and token, from the cookie or the last record
  chain = Promise.resolve(); // records are sent one after the other
const subs = [], // Consent.on("change") listeners
  // Own properties only: a page whose Object.prototype was polluted (analytics = true...) grants nothing.
  own = (o, k) => ({}).hasOwnProperty.call(o, k),
  now = () => Date.now() / 1e3 | 0,
  DAY = 864e2;

// Non-required category keys (`all`: required ones too): the config's, else the built-in ones plus any known.
function keys(all) {
  if (cfg) return cfg.categories.filter(c => all || !c.required).map(c => c.key);
  return [...new Set(['analytics', 'advertising', ...Object.keys(state)])];
}

function granted(k) {
  return k == 'necessary' || own(state, k) && state[k] === true || !!cfg && cfg.categories.some(c => c.required && c.key == k);
}

// A full choice over keys() from a partial one (or 1: every category); GPC's opt-out (lockAd) wins.
function norm(c) {
  const o = {};
  for (const k of keys()) o[k] = (c === 1 || own(c, k) && !!c[k]) && !(lockAd && k == 'advertising');
  return o;
}

function get() {
  const o = {necessary: true};
  for (const k of keys(1)) o[k] = granted(k);
  return o;
}

/* Apply a state: Consent Mode update, gated elements, events. `decided`: a visitor's
 * choice (stored or new), not the pre-choice state; the update is then always sent.
 * Pre-choice, the server's regional consent_mode fills the keys no category maps to. */
function apply(next, decided) {
  const changed = keys().some(k => !state[k] != !next[k]), u = {}, cm = !decided && cfg && cfg.consent_mode || {},
    b = next.advertising ? 'granted' : 'denied';
  state = next;
  if (!decided && !changed) return;
  for (const k of MODE) if (cm[k]) u[k] = cm[k];
  u.analytics_storage = next.analytics ? 'granted' : 'denied';
  u.ad_storage = u.ad_user_data = u.ad_personalization = b;
  gtag('consent', 'update', u);
  gate();
  const s = get();
  D.dispatchEvent(new CustomEvent('consent:change', {detail: s})); // a listener's error is reported, not thrown
  for (const f of subs) try { f(s); } catch (e) {}
}

// The `consent` cookie (brief/CONTRACT.md): {id, token, rev, c: {category: 0|1}, ts}.
function readCookie() {
  try {
    const m = D.cookie.match(/(?:^|;\s*)consent=([^;]*)/),
      v = m && JSON.parse(decodeURIComponent(m[1]));
    // never a choice older than 13 months, whatever the site's setting
    if (v && own(v, 'c') && v.rev > 0 && /^[0-9a-f]{32}$/.test(v.id) &&
        v.ts > 0 && now() - v.ts < 395 * DAY) return v;
  } catch (e) {}
}

// {k: f(o[k])} over o's own keys.
function map(o, f) {
  const r = {};
  for (const k of Object.keys(o)) r[k] = f(o[k]);
  return r;
}

function setCookie(s) {
  D.cookie = s + ';path=/;samesite=lax' + (location.protocol == 'https:' ? ';secure' : '');
}

// Delete a category's first-party cookies named (by pattern) in its services, on this
// host and each parent domain, path /.
function drop(cat) {
  const res = [], h = location.hostname.split('.');
  for (const s of (cfg.categories.find(c => c.key == cat) || {}).services || []) for (const k of s.cookies || [])
    try { res.push(k.pattern ? new RegExp(k.pattern) : {test: n => n == k.name}); } catch (e) {}
  for (const p of D.cookie.split(/;\s*/)) {
    const n = p.split('=')[0], e = n + '=;max-age=0';
    if (n && n != 'consent' && res.some(r => r.test(n))) {
      setCookie(e);
      for (let i = 0; i < h.length - 1; i++) setCookie(e + ';domain=' + h.slice(i).join('.'));
    }
  }
}

// POST a record as text/plain JSON (no CORS preflight); one retry on a network or server error.
function post(body, retry) {
  return fetch(BASE + '/consents?' + QS, {method: 'POST', credentials: 'include', keepalive: true,
    headers: {'Content-Type': 'text/plain'}, body: JSON.stringify(body)})
    .then(r => { if (r.ok) return r.json(); throw r.status; })
    .catch(e => {
      if (!retry || e < 500 && e != 429) throw e;
      return new Promise(ok => setTimeout(ok, 1500)).then(() => post(body));
    });
}

/* A decision. It applies at once (a refusal and a grant alike: the visitor chose), then
 * is recorded once the config is known. If the POST fails twice, a grant holds for this
 * page only (no cookie stores a grant without a ledger record behind it: the next page
 * asks again), while a refusal of what the visitor had granted is kept in their cookie
 * anyway. Revoking a granted category deletes its cookies; revoking a valid choice down
 * to nothing is recorded as "withdraw"; if a revoked category's scripts ran on this page,
 * the page reloads once the cookie says so, since a running script cannot be stopped.
 * `send`: how the record is made (dsar.js: the erasure already made it). */
function choose(c, action, layer, send = post) {
  // What is revoked: what the last decided choice or the state in effect (an opt-out or
  // notice regime's pre-choice grants, a stored choice before a re-ask) granted.
  const next = norm(c), k = keys(), had = x => last && own(last, x) && last[x] || granted(x),
    revoked = k.filter(x => had(x) && !next[x]), added = k.some(x => next[x] && !had(x));
  let reload = revoked.some(x => own(ran, x));
  if (valid && action != 'gpc' && revoked.length && !k.some(x => next[x])) action = 'withdraw';
  last = next;
  valid = 1;
  apply(next, 1);
  hide();
  chain = chain.then(() => ready).then(conf => {
    if (!conf) return reload = 0;
    revoked.forEach(drop);
    const v = {id: vid, token: tok, rev: conf.revision, c: map(next, x => +x), ts: now()},
      save = () => setCookie('consent=' + enc(JSON.stringify(v)) + ';max-age=' + conf.consent_lifetime_days * DAY);
    return send({visitor_id: vid, token: tok, choices: next, action, revision: conf.revision,
      language: conf.language, page_url: location.href, gpc: GPC || !!conf.gpc, layer: layer || void 0}, 1).then(r => {
      vid = C.visitorId = v.id = r.visitor_id;
      tok = v.token = r.token;
      v.ts = Date.parse(r.recorded_at) / 1e3 | 0 || v.ts;
      const o = readCookie();
      // The server sets the cookie when it shares the page's site; else the widget does.
      if (!o || o.id != vid || o.ts != v.ts) save();
      if (live) live.textContent = t('banner.saved'); // the polite live region says it was saved
    }, () => { if (vid && revoked.length && !added) save(); else reload = 0; });
  }).catch(() => {}).then(() => { if (reload) location.reload(); });
}
