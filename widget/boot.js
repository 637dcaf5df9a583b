/* boot.js: window.Consent, the queue, the start.
 *
 * Calls made before the script loaded are queued by this stub (put it before anything
 * that calls Consent):
 *   window.Consent=window.Consent||function(){(Consent.q=Consent.q||[]).push(arguments)}
 * then Consent("on", "change", fn), Consent("acceptAll")... The same call style keeps
 * working after load, beside Consent.get(), Consent.acceptAll()... */
function C(n, ...a) {
  const f = own(C, n) && C[n];
  if (typeof f == 'function') return f(...a);
}
Object.assign(C, {
  visitorId: null,
  get: safe(get),
  acceptAll: safe(() => choose(1, 'accept_all')),
  rejectAll: safe(() => choose({}, 'reject_all')),
  set: safe(c => c === Object(c) && choose(Object.assign({}, state, c), 'api')),
  withdraw: safe(() => choose({}, 'withdraw')),
  d: {t, choose}, // for dsar.js (internal): the texts, and applying the withdrawal an erasure recorded
  show: safe(() => show(valid ? 2 : 1)),
  on: safe((ev, f) => { if (ev == 'change' && typeof f == 'function') subs.push(f); }),
  tq: [], // Consent.track calls while the tracker loads (it takes them over); none without analytics
  track: (...a) => { TRACKER && granted('analytics') && C.tq.push(a); }
});

let started = 0, done, held = 0;
const queue = [...(W.Consent && W.Consent.q || [])],
  replay = on => { for (const a of queue) if ((a[0] == 'on') == on) C(...a); },
  ready = new Promise(r => { done = r; }),
  stored = readCookie();
W.Consent = C;
replay(1); // listeners first: they hear about the stored choice too

/* A returning visitor. The bundle is the same for every site, so the site's current
 * revision is not known before the config arrives; the cookie holds the revision it was
 * given for. Its choice applies at once, with no network round trip; the config is then
 * fetched at idle time, and the banner comes back only if config.revision > cookie.rev or
 * the choice is older than config.consent_lifetime_days (the pre-choice state then applies
 * again: what ran on this page stays, gated embeds return to their placeholders). */
if (stored) {
  vid = C.visitorId = stored.id;
  tok = stored.token;
  last = map(stored.c, x => x == 1);
  valid = 1;
  const c = Object.assign({}, last);
  if (GPC && c.advertising) c.advertising = held = false; // with GPC on, a stored advertising grant waits for the regime
  apply(c, 1);
}

function load() {
  if (started) return;
  started = 1;
  fetch(BASE + '/config?hl=' + enc(D.documentElement.lang) + (LANG ? '&lang=' + enc(LANG) : '') + QS)
    .then(r => r.ok ? r.json() : 0)
    .then(conf => {
      if (!conf || !conf.categories || !conf.texts || !(conf.revision > 0)) return done();
      cfg = conf;
      lockAd = (GPC || conf.gpc) && conf.regime == 'opt-out';
      done(cfg);
      gate(); // placeholders need the texts
      if (stored && conf.revision <= stored.rev && now() - stored.ts <= conf.consent_lifetime_days * DAY) {
        last = norm(last);
        if (lockAd && last.advertising) choose(last, 'gpc'); // GPC overrides a stored grant, recorded once
        else if (held) apply(last, 1);
        return;
      }
      /* No valid choice (first visit, new revision, too old): the pre-choice state the
       * server decided for the regime (opt-in: nothing), and the banner. Opt-out + GPC:
       * the opt-out is honoured at once and recorded ("gpc"); the banner says so. */
      valid = 0;
      apply(norm(conf.defaults || {}), 0);
      if (lockAd) choose(state, 'gpc');
      show(1);
    })
    .catch(() => done());
}
if (stored) (W.requestIdleCallback || setTimeout)(safe(load), {timeout: 3e3});
else load();

replay(0);

new MutationObserver(safe(gate)).observe(D.documentElement, {childList: true, subtree: true});
D.addEventListener('DOMContentLoaded', safe(gate));
D.addEventListener('click', safe(onClick));
for (const m of ['pushState', 'replaceState']) { // single-page-app navigations
  const f = history[m];
  history[m] = function () {
    const r = f.apply(this, arguments);
    safe(gate)();
    return r;
  };
}
W.addEventListener('popstate', safe(gate));
