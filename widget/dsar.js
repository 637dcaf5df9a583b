/* dsar.js: the visitor's own data, in the preferences panel (docs/DSAR.md). Served at /d.js.
 *
 * The widget loads it the first time a visitor with a consent id opens the preferences
 * (banner.js show()), so nobody else downloads it. It adds to the panel, before its
 * buttons: the consent ID (to quote in a request), "Download my data" (GET
 * /api/v1/sites/{key}/visitors/{id} with the token from the consent cookie, saved as a
 * JSON file) and "Delete my data" (confirm, DELETE; the widget then applies the withdrawal
 * the server recorded: gated things stop, the tracker stops). Texts come from the site
 * config (Consent.d.t), inserted with textContent. Built by widget/dsar.py.
 */
try {
(() => {
  'use strict';
  const W = window, D = document, S = D.currentScript, C = W.Consent, x = C && C.d;
  if (W.__consentData || !S || !x) return;
  W.__consentData = 1;
  const T = D.querySelector('script[data-site]') || S,
    BASE = S.src.replace(/\/d(\.\w+)?\.js([?#].*)?$/, '') + '/api/v1/sites/' +
      encodeURIComponent(T.getAttribute('data-site')) + '/visitors/',
    B = D.getElementById('consent-banner'),
    safe = f => (...a) => { try { return f(...a); } catch (e) {} },
    t = k => x.t(k);
  if (!B) return;

  function h(tag, a, text) {
    const e = D.createElement(tag);
    for (const k of Object.keys(a || {})) e.setAttribute(k, a[k]);
    if (text) e.textContent = text;
    return e;
  }

  // The consent cookie (written by the server or the widget): {id, token, ...}.
  function who() {
    try {
      const m = D.cookie.match(/(?:^|;\s*)consent=([^;]*)/), v = m && JSON.parse(decodeURIComponent(m[1]));
      if (v && v.id == C.visitorId && v.token) return v;
    } catch (e) {}
  }

  const style = h('style', {id: 'consent-data-style'},
      '#consent-data{padding:.75rem 0;border-top:1px solid #ddd}' +
      '#consent-data h3{margin:0 0 .5rem;font-size:1em}#consent-data .cm-id{font-size:.8em;word-break:break-all}' +
      '#consent-data .cm-bs{margin-bottom:.5rem}'),
    box = h('div', {id: 'consent-data'}),
    id = h('p', {class: 'cm-id'}),
    down = h('button', {type: 'button', class: 'cm-b', 'data-consent-data': 'download'}, t('dsar.download')),
    del = h('button', {type: 'button', class: 'cm-b', 'data-consent-data': 'delete'}, t('dsar.delete')),
    row = h('div', {class: 'cm-bs'}),
    status = h('p', {class: 'cm-data-status', role: 'status'});
  row.append(down, del);
  box.append(h('h3', 0, t('dsar.title')), id, row, status);
  (D.head || D.documentElement).append(style);
  const l2 = B.querySelector('.cm-l2');
  l2.insertBefore(box, l2.lastElementChild); // before the panel's buttons

  // Refresh on every opening of the panel (the id appears once a choice is recorded).
  function refresh() {
    const v = C.visitorId;
    id.textContent = v ? t('prefs.consent_id') + ': ' + v : '';
    box.hidden = !v;
  }
  refresh();
  new MutationObserver(safe(() => { if (!B.hidden) refresh(); })).observe(B, {attributes: true, attributeFilter: ['hidden']});

  function call(method) {
    const v = who();
    if (!v) return Promise.reject(0);
    return fetch(BASE + v.id, {method, credentials: 'include', headers: {Authorization: 'Bearer ' + v.token}})
      .then(r => { if (r.ok) return r.json(); throw r.status; });
  }

  function busy(on) {
    down.disabled = del.disabled = on;
  }

  const failed = () => { busy(false); status.textContent = t('dsar.error'); };

  down.onclick = safe(() => {
    busy(true);
    status.textContent = '';
    call('GET').then(doc => {
      const a = h('a', {download: 'my-data-' + doc.site.key + '.json'}),
        url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], {type: 'application/json'}));
      a.href = url;
      D.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 6e4);
      busy(false);
    }).catch(failed);
  });

  del.onclick = safe(() => {
    if (!W.confirm(t('dsar.delete_confirm'))) return;
    busy(true);
    status.textContent = '';
    call('DELETE').then(r => {
      // The server recorded the withdrawal: the widget applies it without a second record
      // (tags, embeds and the tracker stop; a page whose revoked scripts ran reloads).
      x.choose({}, 'withdraw', 2, () => Promise.resolve(r));
      busy(false);
      C.show();
      status.textContent = t('dsar.deleted');
    }).catch(failed);
  });
})();
} catch (e) {}
