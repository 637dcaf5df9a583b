/* banner.js: the banner, a view of the state.
 * #consent-banner (role=dialog, a non-modal overlay at the bottom: no layout shift, the
 * page stays usable). Layer 1: title, text, Accept all / Reject all / Preferences (one
 * element type, one class). Layer 2: each category with its services and a checkbox, then
 * Save, Accept all, Reject all. Every text comes from config.texts, through textContent. */

let B = null, // the banner
  live = null, // the polite live region (outside the banner: it outlives it)
  layer = 0, // 0 hidden, 1 first layer, 2 preferences
  direct = 0, // the preferences were opened directly (settings link, show()): Esc closes them
  opener = null,
  styled = 0;

// No English fallback strings: without the server there is no banner (and no way to record
// a choice); the server's texts fall back to English themselves.
const t = k => cfg.texts[k] || '',
  q1 = s => B.querySelector(s),
  boxes = () => B.querySelectorAll('[data-consent-category]');

// The CSS (minified, embedded by the build) in one <style>, on first use (banner or placeholder).
function style() {
  if (!styled) styled = (D.head || D.documentElement).appendChild(h('style', {id: 'consent-style'}, "__CSS__"));
}

// h(tag, attributes, text | [children]): text always goes in through textContent.
function h(tag, a, c) {
  const e = D.createElement(tag);
  for (const k of Object.keys(a)) e.setAttribute(k, a[k]); // a: an object, or 0 for none
  if (typeof c == 'string') e.textContent = c;
  else if (c) for (const x of c) if (x) e.append(x);
  return e;
}

const bt = (x, k) => h('button', {type: 'button', class: 'cm-b', 'data-consent-action': x}, t(k || 'banner.' + x.replace('-', '_'))),
  row = a => h('div', {class: 'cm-bs'}, a.map(x => bt(x))); // a row of action buttons

function build() {
  const o = cfg.regime == 'opt-out';
  B = h('div', {id: 'consent-banner', role: 'dialog', 'aria-modal': 'false', tabindex: '-1', lang: cfg.language,
    dir: cfg.direction, hidden: ''}, [
    h('div', {class: 'cm-l1'}, [
      h('h2', {id: 'consent-title'}, t(o ? 'optout.title' : 'banner.title')),
      // one text per regime: "with your consent" is not true where tags run before a choice
      h('p', {id: 'consent-body'}, t({'opt-out': 'optout.body', notice: 'notice.body'}[cfg.regime] || 'banner.body')),
      o && (lockAd ? h('p', {class: 'cm-gpc'}, t('optout.gpc_honored')) : bt('do-not-sell', 'optout.do_not_sell')),
      row(['accept-all', 'reject-all', 'preferences'])
    ]),
    h('div', {class: 'cm-l2'}, [
      h('h2', {id: 'consent-prefs-title'}, t('prefs.title')),
      h('p', {id: 'consent-prefs-body'}, t('prefs.body')),
      ...cfg.categories.map(category),
      row(['save', 'accept-all', 'reject-all', 'close'])
    ])
  ]);
  B.onkeydown = safe(onKey);
  live = h('div', {role: 'status', 'aria-live': 'polite', class: 'cm-sr'});
  style();
  D.body.append(live, B);
}

function category(c) {
  const id = 'consent-cat-' + c.key, gpc = lockAd && c.key == 'advertising',
    box = h('input', {type: 'checkbox', 'data-consent-category': c.key, 'aria-describedby': id}),
    sv = c.services || [];
  box.disabled = c.required || gpc;
  return h('div', {class: 'cm-cat'}, [
    h('label', 0, [box, h('b', 0, c.name), c.required && h('span', 0, t('prefs.always_on'))]),
    h('p', {id}, c.description),
    gpc && h('p', {class: 'cm-gpc'}, t('optout.gpc_honored')),
    sv.length && h('details', 0, [h('summary', 0, t('prefs.services') + ' (' + sv.length + ')'), h('ul', 0, sv.map(service))])
  ]);
}

function service(s) {
  const u = s.privacy_policy_url, ck = (s.cookies || []).map(k => k.name + (k.lifetime ? ' (' + t('prefs.lifetime') + ': ' + k.lifetime + ')' : '')).join(', '),
    line = (k, v = s[k]) => v && h('div', 0, t('prefs.' + k) + ': ' + v);
  return h('li', 0, [
    h('b', 0, s.name),
    line('provider'),
    line('purpose'),
    line('cookies', ck),
    /^https?:\/\//i.test(u) && h('a', {href: u, rel: 'noopener noreferrer', target: '_blank'}, t('prefs.privacy_policy'))
  ]);
}

/* Show layer 1 or 2, with the current state in the checkboxes. Focus moves into the
 * dialog (onto the dialog itself, so a screen reader reads its name and text first). */
function show(l) {
  if (!cfg) return load(), ready.then(c => c && show(l));
  if (!D.body) return D.addEventListener('DOMContentLoaded', safe(() => show(l)));
  if (!B) build();
  if (!layer) opener = D.activeElement;
  direct = l == 2 && (direct || layer != 1);
  layer = l;
  const s = get(), p = l == 2 ? 'consent-prefs-' : 'consent-';
  q1('.cm-l1').hidden = l == 2;
  q1('.cm-l2').hidden = l == 1;
  q1('[data-consent-action=close]').hidden = !valid;
  B.setAttribute('aria-labelledby', p + 'title');
  B.setAttribute('aria-describedby', p + 'body');
  for (const x of boxes()) x.checked = s[attr(x, 'data-consent-category')];
  // The consent ID, "Download my data" and "Delete my data": a small module (dsar.js,
  // served at /d.js), loaded the first time a visitor with a consent id opens the panel.
  if (vid && !dk) D.head.append(dk = D.createElement('script')), dk.src = API + '/d.js';
  B.hidden = false;
  B.focus();
}

function hide() {
  if (!layer) return;
  layer = 0;
  B.hidden = true;
  if (opener && D.contains(opener)) opener.focus();
}

// Tab and Shift+Tab cycle inside the dialog; Esc leaves the preferences, recording nothing.
function onKey(e) {
  if (e.key == 'Escape') {
    if (layer == 2 && !direct) show(1), q1('[data-consent-action=preferences]').focus();
    else if (valid) hide();
  } else if (e.key == 'Tab') {
    const f = [...B.querySelectorAll('button,input,a[href],summary')].filter(x => !x.disabled && x.getClientRects().length),
      a = f[0], z = f[f.length - 1], x = D.activeElement;
    if (e.shiftKey ? x == a || x == B : x == z) {
      e.preventDefault();
      (e.shiftKey ? z : a).focus();
    }
  }
}

// One listener for every [data-consent-action], in the banner and anywhere on the page.
function onClick(e) {
  const x = e.target.closest && e.target.closest('[data-consent-action]'), a = x && attr(x, 'data-consent-action'),
    c = {}, l = layer && B.contains(x) ? layer : 0; // 0: a control on the page, not in the banner
  if (!a) return;
  if (x.tagName == 'A') e.preventDefault();
  if (a == 'preferences') show(2);
  if (a == 'close') hide();
  if (a == 'accept-all') choose(1, 'accept_all', l);
  if (a == 'reject-all') choose({}, 'reject_all', l);
  if (a == 'do-not-sell') choose(Object.assign({}, state, {advertising: false}), 'save', 1);
  if (a == 'save') {
    for (const b of boxes()) c[attr(b, 'data-consent-category')] = b.checked;
    choose(c, 'save', 2);
  }
}
