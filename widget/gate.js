/* gate.js: gated elements follow the state.
 *   <script type="text/plain" data-consent="analytics" [src]>  run once, in document order
 *   <iframe data-consent=... data-src=...>  loaded when granted, else a placeholder
 *   <img data-consent=... data-src=...>     requested when granted
 * data-consent="analytics advertising" needs every category listed. The page is re-scanned
 * on DOM additions (MutationObserver), at DOMContentLoaded and on SPA navigations. */

const ran = {}, // categories whose scripts ran on this page
  holders = new WeakMap(), // iframe -> its placeholder
  $$ = s => D.querySelectorAll(s),
  cats = e => (attr(e, 'data-consent') || '').match(/\S+/g) || [],
  allowed = e => cats(e).length > 0 && cats(e).every(granted);
let busy = 0, // an external gated script is loading: the next ones wait (document order)
  tk, // the clickstream tracker: loaded once analytics is granted, never twice (it stops itself on withdrawal)
  dk; // the data-request module (dsar.js): loaded by show() once there is a consent id

function gate() {
  for (const e of $$('iframe[data-consent][data-src],img[data-consent][data-src]')) {
    const on = allowed(e), src = attr(e, 'data-src'), ph = holders.get(e), cur = attr(e, 'src');
    if (e.tagName == 'IMG') {
      if (on && cur != src) e.src = src;
      if (!on && cur) e.removeAttribute('src');
    } else if (on) {
      if (ph) ph.remove(), holders.delete(e), e.hidden = false;
      // In a task of its own: Chromium drops a src set on a parser-inserted iframe in the
      // same task as its insertion (the initial about:blank wins), e.g. from the observer.
      if (cur != src) setTimeout(safe(() => { if (allowed(e) && attr(e, 'src') != src) e.src = src; }));
    } else {
      if (cur && cur != 'about:blank') e.src = 'about:blank'; // unloads the embed
      if (!ph && cfg && e.parentNode) placeholder(e);
    }
  }
  run();
  if (TRACKER && !tk && granted('analytics')) D.head.append(tk = D.createElement('script')), tk.src = API + '/t.js';
}

// "This content is blocked because it needs {category} cookies." + "Allow {category} cookies"
function placeholder(e) {
  const n = cats(e).map(k => (cfg.categories.find(c => c.key == k) || {name: k}).name).join(', '),
    b = h('button', {type: 'button', class: 'cm-b'}, t('placeholder.allow').replace('{category}', n)),
    ph = h('div', {class: 'consent-placeholder'}, [h('p', 0, t('placeholder.blocked').replace('{category}', n)), b]);
  const cs = getComputedStyle(e);
  // The iframe's box exactly (an inline-block with overflow has the iframe's baseline): no layout shift.
  Object.assign(ph.style, {width: e.offsetWidth + 'px', height: e.offsetHeight + 'px', margin: cs.margin,
    verticalAlign: cs.verticalAlign, display: cs.display == 'inline' ? 'inline-block' : cs.display});
  b.onclick = safe(() => {
    const c = Object.assign({}, state);
    for (const k of cats(e)) c[k] = true;
    choose(c, 'save');
  });
  style();
  holders.set(e, ph);
  e.hidden = true;
  e.before(ph);
}

// Has the parser finished this element? (An inline script's text may still be arriving.)
function parsed(e) {
  if (D.readyState != 'loading') return 1;
  for (; e; e = e.parentNode) if (e.nextSibling) return 1;
}

// Run the granted scripts: a real copy of each replaces it (inline: runs now; external:
// the next waits for its load or error event).
function run() {
  if (busy) return;
  for (const o of $$('script[type="text/plain"][data-consent]')) {
    const n = D.createElement('script'), src = attr(o, 'src');
    if (!allowed(o)) continue;
    if (!src && !parsed(o)) return;
    for (const a of o.attributes) if (a.name != 'type') n.setAttribute(a.name == 'data-type' ? 'type' : a.name, a.value);
    if (src) {
      busy = n.onload = n.onerror = () => { busy = 0; safe(run)(); };
      n.async = false;
    } else n.text = o.text;
    for (const k of cats(o)) ran[k] = 1;
    o.replaceWith(n);
    if (busy) return;
  }
}
