/*
 * outboxd dashboard: overview, message list, message detail, and the admin actions.
 *
 * Plain browser JavaScript, no build step and no libraries, because the files are embedded in the
 * daemon as they are. The page runs under a strict Content-Security-Policy (script-src 'self',
 * style-src 'self', form-action 'none'), so:
 *   - every piece of DOM is built with createElement/createElementNS and textContent; no innerHTML
 *     anywhere, so message data (payloads, errors, names) can never become markup;
 *   - no inline handlers or style attributes: listeners go through addEventListener, looks through
 *     classes in app.css;
 *   - forms never submit for real (preventDefault), since form-action 'none' would block it anyway.
 *
 * Sections, in order: helpers (DOM, formatting) · API client · session (sign-in) · notice and
 * confirmation dialog · router and view lifecycle · overview view (table + chart) · messages view ·
 * message detail view · actions · start.
 */
(function () {
  'use strict';

  /* ------------------------------------------------------------------------------------------ */
  /* Constants                                                                                   */
  /* ------------------------------------------------------------------------------------------ */

  // The API sits next to /ui/ under whatever prefix a reverse proxy added (contract: strip /ui/...).
  // The last "/ui/" of the path: a proxy's own prefix may hold one too (/tools/ui/outboxd/ui/).
  const BASE = (function (path) {
    const at = path.lastIndexOf('/ui/');
    return at >= 0 ? path.slice(0, at) : path.replace(/\/ui$/, '');
  })(location.pathname);
  const TOKEN_KEY = 'outboxd.token';          // sessionStorage only: gone when the tab closes
  const REQUEST_TIMEOUT_MS = 10000;           // a hung proxy must not freeze a view forever
  const POLL_MS = 2000;                       // overview refresh while it is on screen
  const POLL_MAX_MS = 30000;                  // back-off ceiling after errors
  const STALE_AFTER_SECONDS = 10;             // counts older than this are flagged as stale
  const PAGE_SIZE = 50;
  const ERROR_PREVIEW_CHARS = 120;            // last error in the list; full text in the title
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const STATES = ['pending', 'delivered', 'dead', 'cancelled'];
  const LANE_LABELS = {
    running: 'running',
    paused: 'paused',
    breaker_open: 'breaker open',
    probing: 'probing',
    rate_limited: 'rate-limited',
    not_running: 'not running'
  };

  const main = document.getElementById('main');

  /* ------------------------------------------------------------------------------------------ */
  /* DOM helpers                                                                                 */
  /* ------------------------------------------------------------------------------------------ */

  /**
   * h('td', {class: 'num', dataset: {field: 'dead'}}, ['3']) -> <td class="num" data-field="dead">3</td>
   * Strings become text nodes (never markup). Event listeners go in `on`. `style` and the HTML
   * sinks are refused outright so nobody adds one by accident (the CSP would block styles anyway).
   */
  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    applyAttrs(el, attrs);
    append(el, children);
    return el;
  }

  /** Same for SVG elements (the chart); attributes are presentation attributes, which CSP allows. */
  function s(tag, attrs, children) {
    const el = document.createElementNS(SVG_NS, tag);
    applyAttrs(el, attrs);
    append(el, children);
    return el;
  }

  function applyAttrs(el, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (key) {
      const value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === 'on') {
        Object.keys(value).forEach(function (type) { el.addEventListener(type, value[type]); });
      } else if (key === 'style' || key === 'innerHTML' || key === 'outerHTML' || /^on/i.test(key)) {
        throw new Error('refusing attribute ' + key + ' (CSP / XSS safety)');
      } else if (key === 'dataset') {
        Object.keys(value).forEach(function (k) { el.dataset[k] = String(value[k]); });
      } else if (key === 'text') {
        el.textContent = String(value);
      } else if (value === true) {
        el.setAttribute(key, '');
      } else {
        el.setAttribute(key, String(value));
      }
    });
  }

  function append(el, children) {
    if (children === undefined || children === null) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === undefined || child === null || child === false) return;
      el.appendChild(typeof child === 'string' || typeof child === 'number'
        ? document.createTextNode(String(child)) : child);
    });
  }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function setText(el, text) {
    // Avoid touching unchanged nodes: keeps screen readers and selection calm during polling.
    if (el.textContent !== text) el.textContent = text;
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Formatting                                                                                  */
  /* ------------------------------------------------------------------------------------------ */

  function pad(n, width) { return String(n).padStart(width || 2, '0'); }

  /** "4 s", "3 min", "2 h", "5 d": an age at a glance, exact value goes in a title. */
  function humanSeconds(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return '—';
    const sec = Math.max(0, seconds);
    if (sec < 60) return Math.floor(sec) + ' s';
    if (sec < 3600) return Math.floor(sec / 60) + ' min';
    if (sec < 86400) return Math.floor(sec / 3600) + ' h';
    return Math.floor(sec / 86400) + ' d';
  }

  function parseTime(value) {
    if (!value) return null;
    const d = new Date(value);
    return isNaN(d.getTime()) ? null : d;
  }

  function isToday(d) {
    const now = new Date();
    return d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() &&
      d.getDate() === now.getDate();
  }

  function clock(d, withSeconds) {
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + (withSeconds ? ':' + pad(d.getSeconds()) : '');
  }

  function dateStr(d) { return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }

  /** Local time, the date only when it is not today (lists stay narrow). */
  function shortTime(d) { return isToday(d) ? clock(d, true) : dateStr(d) + ' ' + clock(d, true); }

  /** Full local time with milliseconds for the detail view. */
  function longTime(d) { return dateStr(d) + ' ' + clock(d, true) + '.' + pad(d.getMilliseconds(), 3); }

  /** "in 3 min", "5 s ago", "now": relative to this browser's clock. */
  function relative(d) {
    const diff = (d.getTime() - Date.now()) / 1000;
    if (Math.abs(diff) < 1) return 'now';
    return diff > 0 ? 'in ' + humanSeconds(diff) : humanSeconds(-diff) + ' ago';
  }

  /**
   * A <time> element: local time as text, the server's exact value in the title. `rel`: true adds
   * "(3 min ago)" / "(in 3 min)"; 'next' (a next attempt) says "(due)" once the time has passed,
   * since "1 h ago" reads oddly for an attempt that is still to come.
   */
  function timeEl(value, format, rel) {
    const d = parseTime(value);
    if (!d) return document.createTextNode(value ? String(value) : '—');
    let suffix = '';
    if (rel === 'next' && d.getTime() <= Date.now()) suffix = ' (due)';
    else if (rel) suffix = ' (' + relative(d) + ')';
    const text = (format === 'long' ? longTime(d) : shortTime(d)) + suffix;
    return h('time', { datetime: d.toISOString(), title: String(value) }, text);
  }

  function attemptsText(m) {
    return m.max_attempts === null || m.max_attempts === undefined
      ? String(m.attempt) : m.attempt + ' / ' + m.max_attempts;
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  function truncate(text, max) {
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  function stateBadge(state) {
    const known = STATES.indexOf(state) >= 0;
    return h('span', { class: 'badge state-' + (known ? state : 'unknown') }, String(state));
  }

  function laneBadge(lane, inFlight) {
    const label = LANE_LABELS[lane] || String(lane);
    const cls = LANE_LABELS[lane] ? lane.replace(/_/g, '-') : 'unknown';
    const title = inFlight ? label + '; ' + inFlight + ' in flight' : label;
    return h('span', { class: 'badge lane-' + cls, title: title }, label);
  }

  function messagesHash(filters) {
    const q = new URLSearchParams();
    ['destination', 'state', 'ordering_key', 'id_prefix'].forEach(function (k) {
      if (filters[k]) q.set(k, filters[k]);
    });
    const qs = q.toString();
    return '#/messages' + (qs ? '?' + qs : '');
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Lossless JSON for payloads                                                                  */
  /* ------------------------------------------------------------------------------------------ */

  /*
   * The API returns payload numbers with every digit PostgreSQL stored (12345678901234567890,
   * 0.10000000000000000001). JSON.parse would round them to doubles and the page would show a
   * different number than the one stored. Where the browser has JSON.parse source access and
   * JSON.rawJSON (Chromium 114+), numbers that a double cannot hold are kept as raw JSON text, so
   * JSON.stringify(payload, null, 2) prints them verbatim; every other number prints exactly as
   * JSON.stringify would print it anyway.
   */
  const HAS_RAW_JSON = typeof JSON.rawJSON === 'function';

  function canonicalNumber(text) {
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m) return null;
    let digits = m[2] + (m[3] || '');
    let exponent = (m[4] ? parseInt(m[4], 10) : 0) + m[2].length;
    const leading = /^0*/.exec(digits)[0].length;
    digits = digits.slice(leading).replace(/0+$/, '');
    exponent -= leading;
    return digits ? m[1] + '0.' + digits + 'e' + exponent : '0';
  }

  function parseLossless(text) {
    if (!HAS_RAW_JSON) return JSON.parse(text);
    return JSON.parse(text, function (key, value, context) {
      if (typeof value === 'number' && context && typeof context.source === 'string') {
        const stored = canonicalNumber(context.source);
        if (stored === null || stored !== canonicalNumber(String(value))) return JSON.rawJSON(context.source);
      }
      return value;
    });
  }

  /* ------------------------------------------------------------------------------------------ */
  /* API client                                                                                  */
  /* ------------------------------------------------------------------------------------------ */

  class ApiError extends Error {
    constructor(status, code, detail) {
      super(detail);
      this.status = status;   // 0 when there was no HTTP answer (network, timeout)
      this.code = code;       // the API's "error" field, or our own code
      this.detail = detail;   // the API's "detail": what the person should read
    }
  }

  /**
   * One request to the API. Same-origin, token in the Authorization header only, never a cookie
   * (credentials: 'omit'), never cached (counts must be live), aborted after 10 s.
   * Resolves with the parsed JSON body; rejects with ApiError. A 401 outside the sign-in flow sends
   * the person back to the sign-in form (the token was revoked or the daemon restarted with others).
   */
  async function api(method, path, options) {
    const opts = options || {};
    const headers = { Accept: 'application/json' };
    const token = getToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    let response;
    let text;
    try {
      // POSTs of this API take no body; sending none avoids the 415 check on Content-Type.
      response = await fetch(BASE + path, {
        method: method,
        headers: headers,
        credentials: 'omit',
        cache: 'no-store',
        signal: controller.signal
      });
      text = await response.text();
    } catch (err) {
      if (controller.signal.aborted) {
        throw new ApiError(0, 'timeout', 'no answer from outboxd within ' + REQUEST_TIMEOUT_MS / 1000 + ' s');
      }
      throw new ApiError(0, 'network', 'cannot reach outboxd (' + (err && err.message ? err.message : 'network error') + ')');
    } finally {
      clearTimeout(timer);
    }

    let body = null;
    if (text) {
      try { body = opts.lossless ? parseLossless(text) : JSON.parse(text); } catch (e) { body = null; }
    }
    if (!response.ok) {
      const code = body && typeof body.error === 'string' ? body.error : 'http_' + response.status;
      let detail = body && typeof body.detail === 'string' && body.detail
        ? body.detail : response.status + ' ' + (response.statusText || code);
      if (response.status === 503) detail = 'database unavailable, retrying (' + detail + ')';
      const err = new ApiError(response.status, code, detail);
      if (response.status === 401 && !opts.signingIn) onUnauthorized(err);
      throw err;
    }
    if (body === null || typeof body !== 'object') {
      throw new ApiError(response.status, 'invalid_response', 'the answer from ' + path + ' is not JSON');
    }
    return body;
  }

  /** Text for an error in a sentence: the API's detail, which names the problem. */
  function errorText(err) {
    if (err instanceof ApiError) return err.detail;
    return err && err.message ? err.message : String(err);
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Session: token, whoami, sign-in                                                             */
  /* ------------------------------------------------------------------------------------------ */

  const session = { known: false, authRequired: false, tokenName: null, scopes: [] };

  function getToken() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  /** False when the browser refuses sessionStorage; the token is never kept anywhere else. */
  function setToken(token) {
    try { sessionStorage.setItem(TOKEN_KEY, token); return true; } catch (e) { return false; }
  }

  function clearToken() {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
  }

  function isAdmin() { return session.scopes.indexOf('admin') >= 0; }

  function applySession(who) {
    session.known = true;
    session.authRequired = who.auth_required === true;
    session.tokenName = typeof who.token === 'string' ? who.token : null;
    session.scopes = Array.isArray(who.scopes) ? who.scopes.map(String) : [];
    const whoami = document.getElementById('whoami');
    if (session.authRequired) {
      whoami.textContent = 'Signed in as ' + (session.tokenName || '(unnamed token)') +
        (session.scopes.length ? ' · ' + session.scopes.join(', ') : '');
    } else {
      whoami.textContent = 'Open API (no sign-in needed)';
    }
    whoami.title = 'scopes: ' + (session.scopes.join(', ') || 'none');
    document.getElementById('signout').hidden = !session.authRequired;
    document.getElementById('nav').hidden = false;
  }

  function resetSession() {
    session.known = false;
    session.authRequired = false;
    session.tokenName = null;
    session.scopes = [];
    document.getElementById('whoami').textContent = '';
    document.getElementById('whoami').removeAttribute('title');
    document.getElementById('signout').hidden = true;
    document.getElementById('nav').hidden = true;
  }

  /**
   * Asks the daemon who we are. 200 -> show the view; 401 -> the sign-in form (with the detail as
   * an error only when a token was actually presented: a first visit is not an error).
   */
  async function checkWhoami() {
    const presented = !!getToken();
    try {
      const who = await api('GET', '/v1/whoami', { signingIn: true });
      applySession(who);
      route({ initial: true });
    } catch (err) {
      if (err.status === 401) {
        clearToken();
        showSignin(presented ? err.detail : '');
      } else {
        showStartupError(err);
      }
    }
  }

  /** A 401 in the middle of a session: the token no longer works. */
  function onUnauthorized(err) {
    if (!session.known) return;
    stopView();
    clearToken();
    resetSession();
    showSignin('Signed out: ' + err.detail);
  }

  function showSignin(errorMessage) {
    stopView();
    resetSession();
    document.title = 'Sign in — outboxd';
    const input = h('input', {
      id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true,
      spellcheck: 'false', autocapitalize: 'off', 'aria-describedby': 'signin-help signin-error'
    });
    const error = h('p', { id: 'signin-error', class: 'field-error', role: 'alert' }, errorMessage || '');
    const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const form = h('form', { id: 'signin', class: 'card signin', novalidate: true }, [
      h('h1', { tabindex: '-1' }, 'Sign in'),
      h('p', { id: 'signin-help', class: 'muted' },
        'This outboxd needs an API token (one of api.tokens). It is kept in this tab only and sent as a bearer token.'),
      h('label', { for: 'token' }, 'API token'),
      input,
      error,
      h('div', { class: 'form-buttons' }, button)
    ]);
    form.addEventListener('submit', async function (event) {
      event.preventDefault();   // form-action 'none': there is no real submission
      const token = input.value.trim();
      if (!token) {
        error.textContent = 'Enter a token.';
        input.focus();
        return;
      }
      // The test (and anyone watching) waits for data-ready again: the next view is not there yet.
      if (!setToken(token)) {
        error.textContent = 'This browser refuses session storage for this page; the dashboard keeps the token only there.';
        return;
      }
      document.body.removeAttribute('data-ready');
      button.disabled = true;
      error.textContent = '';
      try {
        const who = await api('GET', '/v1/whoami', { signingIn: true });
        input.value = '';
        applySession(who);
        route({ initial: false });
      } catch (err) {
        clearToken();
        error.textContent = errorText(err);
        button.disabled = false;
        input.select();
        input.focus();
        markReady();
      }
    });
    clear(main);
    main.appendChild(form);
    input.focus();
    markReady();
  }

  function showStartupError(err) {
    clear(main);
    const retry = h('button', { type: 'button' }, 'Try again');
    retry.addEventListener('click', function () {
      clear(main);
      main.appendChild(h('p', { class: 'muted' }, 'Loading…'));
      checkWhoami();
    });
    main.appendChild(h('div', { class: 'error-box', role: 'alert' }, [
      h('p', null, 'Could not reach the outboxd API: ' + errorText(err)),
      retry
    ]));
    markReady();
  }

  function signOut() {
    clearToken();
    showNotice('Signed out.', 'ok');
    document.body.removeAttribute('data-ready');
    showSignin('');
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Ready / loading markers (the browser test waits on them)                                    */
  /* ------------------------------------------------------------------------------------------ */

  function markReady() { document.body.setAttribute('data-ready', '1'); }

  // data-loading on <main> while the current view has requests in flight. Counted per view
  // generation, so a slow answer for a view we already left cannot clear the new view's marker.
  let loadingCount = 0;

  function beginLoading(gen) {
    if (gen !== viewGen) return function () {};
    loadingCount += 1;
    main.setAttribute('data-loading', '1');
    let done = false;
    return function () {
      if (done || gen !== viewGen) return;
      done = true;
      loadingCount = Math.max(0, loadingCount - 1);
      if (loadingCount === 0) main.removeAttribute('data-loading');
    };
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Notice area and confirmation dialog                                                         */
  /* ------------------------------------------------------------------------------------------ */

  function showNotice(text, kind) {
    const notice = document.getElementById('notice');
    notice.className = kind === 'error' ? 'notice-error' : 'notice-ok';
    // Re-announce an identical message: a live region only speaks on change.
    notice.textContent = '';
    notice.textContent = text;
    document.getElementById('notice-dismiss').hidden = false;
  }

  function clearNotice() {
    const notice = document.getElementById('notice');
    notice.textContent = '';
    notice.className = '';
    document.getElementById('notice-dismiss').hidden = true;
  }

  /**
   * Promise<boolean> from <dialog id="confirm">: modal (focus is trapped, Esc cancels), the
   * confirm button focused so Enter confirms and Esc declines.
   */
  function confirmAction(text, yesLabel) {
    const dialog = document.getElementById('confirm');
    const yes = document.getElementById('confirm-yes');
    const no = document.getElementById('confirm-no');
    const opener = document.activeElement;
    document.getElementById('confirm-text').textContent = text;
    yes.textContent = yesLabel || 'Confirm';
    if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(text));
    return new Promise(function (resolve) {
      let settled = false;
      function finish(ok) {
        if (settled) return;
        settled = true;
        yes.removeEventListener('click', onYes);
        no.removeEventListener('click', onNo);
        dialog.removeEventListener('cancel', onCancel);
        dialog.removeEventListener('close', onClose);
        if (dialog.open) dialog.close();
        if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
        resolve(ok);
      }
      function onYes() { finish(true); }
      function onNo() { finish(false); }
      // Esc fires 'cancel' at once and 'close' a task later. Settle on 'cancel', and ignore a
      // 'close' that arrives while the dialog is open: it belongs to an earlier, already settled
      // confirmation (reopened quickly) and must not decline this one.
      function onCancel() { finish(false); }
      function onClose() { if (!dialog.open) finish(false); }
      yes.addEventListener('click', onYes);
      no.addEventListener('click', onNo);
      dialog.addEventListener('cancel', onCancel);
      dialog.addEventListener('close', onClose);
      dialog.showModal();
      yes.focus();
    });
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Router and view lifecycle                                                                   */
  /* ------------------------------------------------------------------------------------------ */

  // viewGen counts renders: async work started for an older render checks it and drops its result.
  let viewGen = 0;
  let currentView = null;   // { name, stop(), refresh(), resize() }

  /** '#/', '#/messages?state=dead', '#/messages/<id>' -> a route object. */
  function parseHash() {
    const raw = location.hash.replace(/^#/, '');
    if (raw.charAt(0) !== '/') return { name: 'overview' };   // '', '#main' (skip link), junk
    const q = raw.indexOf('?');
    const path = q >= 0 ? raw.slice(0, q) : raw;
    const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
    if (path === '/' || path === '') return { name: 'overview' };
    if (path === '/messages' || path === '/messages/') return { name: 'messages', params: params };
    const m = /^\/messages\/([^/]+)$/.exec(path);
    if (m) {
      let id = m[1];
      try { id = decodeURIComponent(id); } catch (e) { /* keep it raw; the API will say 400 */ }
      return { name: 'detail', id: id };
    }
    return { name: 'notfound', path: path };
  }

  function stopView() {
    if (currentView && currentView.stop) currentView.stop();
    currentView = null;
    viewGen += 1;
    loadingCount = 0;
    main.removeAttribute('data-loading');
  }

  /**
   * Renders the view for the current hash. `initial` is the first render after sign-in/load, when
   * focus should stay where the browser put it; on later navigations focus goes to the new
   * heading, so a screen reader announces the new view.
   */
  function route(opts) {
    if (!session.known) return;
    const previous = currentView ? currentView.name : null;
    // Not ready until the new view has its data (the browser test waits on it; without this a
    // route change would still read as ready with the old view on screen).
    document.body.removeAttribute('data-ready');
    stopView();
    const r = parseHash();
    if (previous && previous !== r.name) clearNotice();
    updateNav(r);
    clear(main);
    // Which address the view on screen belongs to (the browser test waits for its own).
    main.dataset.route = location.hash || '#/';
    const gen = viewGen;
    if (r.name === 'overview') currentView = overviewView(gen);
    else if (r.name === 'messages') currentView = messagesView(gen, r.params);
    else if (r.name === 'detail') currentView = detailView(gen, r.id);
    else currentView = notFoundView(r.path);
    if (!(opts && opts.initial)) {
      const heading = main.querySelector('h1');
      if (heading) heading.focus({ preventScroll: false });
    }
  }

  function updateNav(r) {
    document.querySelectorAll('#nav a').forEach(function (a) {
      const target = a.getAttribute('href');
      const active = (target === '#/' && r.name === 'overview') ||
        (target === '#/messages' && (r.name === 'messages' || r.name === 'detail'));
      if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
  }

  function notFoundView(path) {
    document.title = 'Not found — outboxd';
    main.appendChild(h('h1', { tabindex: '-1' }, 'Not found'));
    main.appendChild(h('p', null, ['There is no view at ', h('code', null, path), '. ',
      h('a', { href: '#/' }, 'Go to the overview'), '.']));
    markReady();
    return { name: 'notfound' };
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Overview view: table + throughput chart, polled every 2 s while visible                     */
  /* ------------------------------------------------------------------------------------------ */

  // The last destinations seen, for the message filter's select (no other endpoint lists them).
  let knownDestinations = [];
  // The last overview per destination, for the retry-all confirmation's count.
  const lastOverviewRows = new Map();

  const OVERVIEW_COLUMNS = [
    { field: 'pending_due', label: 'Pending (due)', state: 'pending', title: 'pending messages due now' },
    { field: 'scheduled', label: 'Scheduled', state: 'pending', title: 'pending messages due later' },
    { field: 'retrying', label: 'Retrying', state: 'pending', title: 'pending messages that already failed at least once' },
    { field: 'dead', label: 'Dead', state: 'dead', title: 'messages that used up their attempts' },
    { field: 'cancelled', label: 'Cancelled', state: 'cancelled', title: 'cancelled messages' },
    { field: 'delivered_last_minute', label: 'Delivered (1 min)', state: 'delivered', title: 'delivered in the last minute' },
    { field: 'delivered_last_hour', label: 'Delivered (1 h)', state: 'delivered', title: 'delivered in the last hour' }
  ];

  function overviewView(gen) {
    document.title = 'Overview — outboxd';
    const admin = isAdmin();

    const status = h('p', { id: 'overview-status', class: 'status' }, 'Reading the counts…');
    const countedSince = h('p', { id: 'overview-counted-since', class: 'note', hidden: true });
    const headRow = h('tr', null, [h('th', { scope: 'col' }, 'Destination')]);
    OVERVIEW_COLUMNS.forEach(function (c) { headRow.appendChild(h('th', { scope: 'col', class: 'num', title: c.title }, c.label)); });
    headRow.appendChild(h('th', { scope: 'col' }, 'Oldest pending'));
    headRow.appendChild(h('th', { scope: 'col' }, 'Lane'));
    if (admin) headRow.appendChild(h('th', { scope: 'col' }, 'Actions'));
    const tbody = h('tbody');
    const table = h('table', { id: 'overview', class: 'data stack-on-phone' }, [
      h('caption', { class: 'visually-hidden' }, 'Messages per destination'),
      h('thead', null, headRow),
      tbody
    ]);

    const chartSvg = s('svg', { id: 'throughput', role: 'img', 'aria-labelledby': 'throughput-title throughput-desc', class: 'chart' });
    const chartStatus = h('p', { id: 'throughput-status', class: 'muted' });

    append(main, [
      h('div', { class: 'view-head' }, [h('h1', { tabindex: '-1' }, 'Overview'), status]),
      h('div', { class: 'table-wrap' }, table),
      countedSince,
      h('section', { class: 'card chart-card', 'aria-labelledby': 'chart-heading' }, [
        h('h2', { id: 'chart-heading' }, 'Deliveries per second, last 15 minutes'),
        h('ul', { class: 'legend' }, [
          h('li', null, [h('span', { class: 'swatch swatch-delivered', 'aria-hidden': 'true' }), 'delivered']),
          h('li', null, [h('span', { class: 'swatch swatch-failed', 'aria-hidden': 'true' }), 'failed attempts (retried or dead)'])
        ]),
        chartSvg,
        chartStatus
      ])
    ]);
    drawChart(chartSvg, null);

    let stopped = false;
    let timer = null;
    let delay = POLL_MS;
    let lastThroughput = null;
    let lastOverview = null;
    let lastOverviewAt = 0;   // when lastOverview arrived: its counts age while polls fail

    function schedule(ms) {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(tick, ms);
    }

    /** One poll: overview and throughput together; either failing backs the next poll off. */
    async function tick() {
      timer = null;
      if (stopped) return;
      if (document.hidden) return;   // resumed by visibilitychange; no polling in a hidden tab
      const done = beginLoading(gen);
      const results = await Promise.allSettled([api('GET', '/v1/overview'), api('GET', '/v1/throughput')]);
      done();
      if (stopped || gen !== viewGen) return;
      const ov = results[0];
      const tp = results[1];
      let failure = null;
      if (ov.status === 'fulfilled') {
        lastOverview = ov.value;
        lastOverviewAt = Date.now();
        renderOverview(ov.value);
      } else {
        failure = ov.reason;
      }
      if (tp.status === 'fulfilled') {
        lastThroughput = tp.value;
        drawChart(chartSvg, tp.value);
        chartStatus.textContent = throughputSummary(tp.value);
      } else {
        failure = failure || tp.reason;
        chartStatus.textContent = 'Could not read the throughput: ' + errorText(tp.reason);
      }
      markReady();
      if (failure) {
        if (failure.status === 401) return;                 // back at the sign-in form
        if (failure.status === 403 || failure.status === 404) {
          // Neither goes away by retrying (missing scope, daemon without the endpoint).
          showOverviewError(failure, null);
          return;
        }
        delay = Math.min(delay * 2, POLL_MAX_MS);
        showOverviewError(failure, delay);
        schedule(delay);
      } else {
        delay = POLL_MS;
        schedule(delay);
      }
    }

    function showOverviewError(err, retryIn) {
      status.classList.add('stale');
      table.classList.add('stale');
      status.textContent = (lastOverview ? describeReadAt(lastOverview, (Date.now() - lastOverviewAt) / 1000) + ' ' : '') +
        'Could not refresh: ' + errorText(err) + '.' +
        (retryIn ? ' Trying again in ' + Math.round(retryIn / 1000) + ' s.' : '');
    }

    function renderOverview(ov) {
      const rows = Array.isArray(ov.destinations) ? ov.destinations : [];
      knownDestinations = rows.map(function (d) { return String(d.destination); });
      lastOverviewRows.clear();
      rows.forEach(function (d) { lastOverviewRows.set(String(d.destination), d); });
      reconcileRows(tbody, rows, admin);

      const stale = ov.database === 'unreachable' || !ov.read_at ||
        (typeof ov.age_seconds === 'number' && ov.age_seconds > STALE_AFTER_SECONDS);
      status.classList.toggle('stale', stale);
      table.classList.toggle('stale', stale);
      let text = describeReadAt(ov);
      if (ov.database === 'unreachable') {
        text += ' The database is unreachable: these are the last counts read.';
      } else if (stale && ov.read_at) {
        text += ' Stale: the counts have not been refreshed for ' + humanSeconds(ov.age_seconds) + '.';
      }
      setText(status, text);

      // delivered_last_hour only covers the time since this daemon started counting.
      // The server says whether the count covers the whole hour: the start is on the database's
      // clock, which neither the daemon's nor this browser's need agree with.
      const since = parseTime(ov.delivered_counted_since);
      if (since && ov.delivered_whole_hour === false) {
        setText(countedSince, 'Delivered in the last hour: counted since ' + clock(since, false) + '.');
        countedSince.title = String(ov.delivered_counted_since);
        countedSince.hidden = false;
      } else {
        countedSince.hidden = true;
      }
    }

    function onVisibility() {
      if (stopped) return;
      if (!document.hidden && !timer) { delay = POLL_MS; tick(); }
    }
    document.addEventListener('visibilitychange', onVisibility);

    tick();

    return {
      name: 'overview',
      stop: function () {
        stopped = true;
        clearTimeout(timer);
        document.removeEventListener('visibilitychange', onVisibility);
      },
      refresh: function () {
        // After an action: show its effect now, not at the next poll.
        clearTimeout(timer);
        timer = null;
        delay = POLL_MS;
        tick();
      },
      resize: function () { if (lastThroughput) drawChart(chartSvg, lastThroughput); }
    };
  }

  /** "Counts read at 04:30:00 (3 s ago)." The age is the server's, plus time since we got it. */
  function describeReadAt(ov, sinceReceived) {
    const readAt = parseTime(ov.read_at);
    if (!readAt) return 'The counts have not been read yet.';
    const age = (typeof ov.age_seconds === 'number' ? ov.age_seconds : (Date.now() - readAt.getTime()) / 1000) +
      (sinceReceived || 0);
    return 'Counts read at ' + clock(readAt, true) + ' (' + (age < 1 ? 'less than 1 s' : humanSeconds(age)) + ' ago).';
  }

  /**
   * Updates the overview table in place, keyed by destination. Polling every 2 s must not rebuild
   * rows: that would drop keyboard focus from a row's button and restart screen-reader reading.
   */
  function reconcileRows(tbody, rows, admin) {
    const existing = new Map();
    Array.prototype.forEach.call(tbody.querySelectorAll('tr[data-destination]'), function (tr) {
      existing.set(tr.dataset.destination, tr);
    });
    const emptyRow = tbody.querySelector('tr.empty');
    if (rows.length === 0) {
      existing.forEach(function (tr) { tr.remove(); });
      if (!emptyRow) {
        const cols = OVERVIEW_COLUMNS.length + 3 + (admin ? 1 : 0);
        tbody.appendChild(h('tr', { class: 'empty' }, h('td', { colspan: cols }, 'No destinations yet.')));
      }
      return;
    }
    if (emptyRow) emptyRow.remove();

    const wanted = new Set();
    let previous = null;
    rows.forEach(function (d) {
      const name = String(d.destination);
      wanted.add(name);
      let tr = existing.get(name);
      if (!tr) tr = createOverviewRow(name, admin);
      updateOverviewRow(tr, d, admin);
      // Move only rows that are out of place (moving a node drops focus inside it).
      const expectedNext = previous ? previous.nextSibling : tbody.firstChild;
      if (expectedNext !== tr) tbody.insertBefore(tr, expectedNext);
      previous = tr;
    });
    existing.forEach(function (tr, name) { if (!wanted.has(name)) tr.remove(); });
  }

  function createOverviewRow(name, admin) {
    const tr = h('tr', { dataset: { destination: name } });
    tr.appendChild(h('th', { scope: 'row', class: 'dest', 'data-label': 'Destination' }, [
      h('span', { class: 'dest-name' }, name), h('span', { class: 'tag', hidden: true }, 'not configured')
    ]));
    OVERVIEW_COLUMNS.forEach(function (c) {
      tr.appendChild(h('td', { class: 'num', dataset: { field: c.field }, 'data-label': c.label }));
    });
    tr.appendChild(h('td', { dataset: { field: 'oldest_pending' }, 'data-label': 'Oldest pending' }));
    tr.appendChild(h('td', { dataset: { field: 'lane' }, 'data-label': 'Lane' }));
    if (admin) tr.appendChild(h('td', { class: 'actions', 'data-label': 'Actions' }));
    return tr;
  }

  function updateOverviewRow(tr, d, admin) {
    const name = String(d.destination);
    tr.querySelector('.tag').hidden = d.configured !== false;
    tr.classList.toggle('unconfigured', d.configured === false);

    OVERVIEW_COLUMNS.forEach(function (c) {
      const td = tr.querySelector('td[data-field="' + c.field + '"]');
      const value = d[c.field];
      const text = typeof value === 'number' ? String(value) : '—';
      // Non-zero counts link to the message list, filtered; zero stays plain (nothing to see).
      const href = messagesHash({ destination: name, state: c.state });
      const link = td.firstElementChild;
      if (typeof value === 'number' && value > 0) {
        if (link && link.getAttribute('href') === href) {
          setText(link, text);
        } else {
          clear(td);
          td.appendChild(h('a', { href: href, title: 'show the ' + c.state + ' messages of ' + name }, text));
        }
      } else if (link || td.textContent !== text) {
        const hadFocus = link && link === document.activeElement;
        td.textContent = text;
        if (hadFocus) tr.querySelector('th').focus();
      }
      td.title = text + ' ' + c.title;
    });

    const oldest = tr.querySelector('td[data-field="oldest_pending"]');
    setText(oldest, humanSeconds(d.oldest_pending_seconds));
    oldest.title = typeof d.oldest_pending_seconds === 'number'
      ? 'the oldest pending message has waited ' + d.oldest_pending_seconds.toFixed(1) + ' s' : 'nothing pending';

    const laneCell = tr.querySelector('td[data-field="lane"]');
    const badge = laneBadge(d.lane, d.in_flight);
    const current = laneCell.firstElementChild;
    if (!current || current.className !== badge.className || current.textContent !== badge.textContent ||
        current.title !== badge.title) {
      clear(laneCell);
      laneCell.appendChild(badge);
    }

    if (admin) updateRowActions(tr.querySelector('td.actions'), d);
  }

  /**
   * The applicable buttons only: pause or resume, and retry-dead when there are dead messages.
   * A destination this daemon does not configure gets none: the API refuses them (404/422).
   */
  function updateRowActions(td, d) {
    const name = String(d.destination);
    const configured = d.configured !== false;
    const want = [];
    if (configured) {
      want.push(d.paused ? 'resume' : 'pause');
      if (typeof d.dead === 'number' && d.dead > 0) want.push('retry-dead');
    }
    const have = Array.prototype.map.call(td.querySelectorAll('button[data-action]'), function (b) { return b.dataset.action; });
    if (have.join() === want.join() && td.firstChild) {
      const retry = td.querySelector('button[data-action="retry-dead"]');
      if (retry) retry.setAttribute('aria-label', 'Retry all ' + plural(d.dead, 'dead message', 'dead messages') + ' of ' + name);
      return;
    }
    // Keep focus on the row's actions when pause turns into resume (or the reverse).
    const hadFocus = td.contains(document.activeElement);
    clear(td);
    want.forEach(function (action) {
      let button;
      if (action === 'pause') {
        button = h('button', { type: 'button', dataset: { action: 'pause' }, 'aria-label': 'Pause ' + name }, 'Pause');
        button.addEventListener('click', function () { pauseOrResume(button, name, true); });
      } else if (action === 'resume') {
        button = h('button', { type: 'button', dataset: { action: 'resume' }, 'aria-label': 'Resume ' + name }, 'Resume');
        button.addEventListener('click', function () { pauseOrResume(button, name, false); });
      } else {
        button = h('button', {
          type: 'button', class: 'danger', dataset: { action: 'retry-dead' },
          'aria-label': 'Retry all ' + plural(d.dead, 'dead message', 'dead messages') + ' of ' + name
        }, 'Retry dead');
        button.addEventListener('click', function () { retryAllDead(button, name); });
      }
      td.appendChild(button);
    });
    if (!want.length) td.appendChild(h('span', { class: 'muted', title: 'not configured in this daemon' }, '—'));
    if (hadFocus && td.querySelector('button')) td.querySelector('button').focus();
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Throughput chart (SVG built with DOM APIs)                                                  */
  /* ------------------------------------------------------------------------------------------ */

  /** The smallest of 1, 2, 5, 10, 20, 50, ... at or above v: round axis labels. */
  function niceCeil(v) {
    if (v <= 1) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    const steps = [1, 2, 5, 10];
    for (let i = 0; i < steps.length; i++) if (steps[i] * magnitude >= v) return steps[i] * magnitude;
    return 10 * magnitude;
  }

  function numbersOf(arr) {
    return Array.isArray(arr) ? arr.map(function (v) { return typeof v === 'number' && isFinite(v) ? Math.max(0, v) : 0; }) : [];
  }

  function sum(arr, from) {
    let total = 0;
    for (let i = Math.max(0, from || 0); i < arr.length; i++) total += arr[i];
    return total;
  }

  function throughputSummary(tp) {
    const delivered = numbersOf(tp.delivered);
    const failed = numbersOf(tp.failed);
    const step = tp.step_seconds > 0 ? tp.step_seconds : 1;
    const lastMinute = Math.ceil(60 / step);
    return 'Last minute: ' + sum(delivered, delivered.length - lastMinute) + ' delivered, ' +
      sum(failed, failed.length - lastMinute) + ' failed. Last 15 minutes: ' + sum(delivered) +
      ' delivered, ' + sum(failed) + ' failed' + (tp.counted_by ? ' (counted by ' + tp.counted_by + ').' : '.');
  }

  /**
   * Draws delivered (area + line) and failed (line) per step into the <svg>. The viewBox follows
   * the element's rendered width so labels keep their size on a phone instead of shrinking.
   */
  function drawChart(svg, tp) {
    const width = Math.max(260, Math.round(svg.getBoundingClientRect().width) || 900);
    const height = 220;
    const m = { top: 14, right: 14, bottom: 26, left: 46 };
    const plotW = width - m.left - m.right;
    const plotH = height - m.top - m.bottom;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('preserveAspectRatio', 'none');

    const delivered = tp ? numbersOf(tp.delivered) : [];
    const failed = tp ? numbersOf(tp.failed) : [];
    const n = Math.max(delivered.length, failed.length);
    const step = tp && tp.step_seconds > 0 ? tp.step_seconds : 1;
    let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, delivered[i] || 0, failed[i] || 0);
    const top = niceCeil(peak / step);   // per second
    const x = function (i) { return m.left + (n <= 1 ? plotW : (i / (n - 1)) * plotW); };
    const y = function (v) { return m.top + plotH - (v / step / top) * plotH; };

    const nodes = [
      s('title', { id: 'throughput-title' }, 'Delivered and failed deliveries per second, last 15 minutes'),
      s('desc', { id: 'throughput-desc' }, tp ? throughputSummary(tp) : 'No data yet.')
    ];

    // Horizontal grid with labels at 0, half and top.
    const grid = s('g', { class: 'grid' });
    [0, top / 2, top].forEach(function (v) {
      const gy = m.top + plotH - (v / top) * plotH;
      grid.appendChild(s('line', { x1: m.left, x2: m.left + plotW, y1: gy, y2: gy }));
      const label = Number.isInteger(v) ? String(v) : v.toFixed(1);
      grid.appendChild(s('text', { x: m.left - 6, y: gy + 4, 'text-anchor': 'end' }, label + '/s'));
    });
    nodes.push(grid);

    // Vertical ticks every 5 minutes back from the newest point.
    const ticks = s('g', { class: 'ticks' });
    if (n > 1) {
      const span = (n - 1) * step;
      let lastTick = 0;
      for (let back = 0; back <= span; back += 300) {
        const tx = x(n - 1 - back / step);
        ticks.appendChild(s('line', { x1: tx, x2: tx, y1: m.top, y2: m.top + plotH }));
        ticks.appendChild(s('text', { x: tx, y: height - 8, 'text-anchor': back === 0 ? 'end' : 'middle' },
          back === 0 ? 'now' : '−' + back / 60 + ' min'));
        lastTick = back;
      }
      // The left edge (about −15 min) gets a label of its own when no tick sits near it.
      if (span - lastTick > 120 && plotW > 400) {
        ticks.appendChild(s('text', { x: m.left, y: height - 8, 'text-anchor': 'start' }, '−' + Math.round(span / 60) + ' min'));
      }
    }
    nodes.push(ticks);

    if (n > 0) {
      const line = function (values) {
        let d = '';
        for (let i = 0; i < n; i++) d += (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(values[i] || 0).toFixed(1);
        return d;
      };
      const deliveredLine = line(delivered);
      const baseline = y(0).toFixed(1);
      nodes.push(s('path', { class: 'area-delivered', d: deliveredLine + 'L' + x(n - 1).toFixed(1) + ' ' + baseline + 'L' + x(0).toFixed(1) + ' ' + baseline + 'Z' }));
      nodes.push(s('path', { class: 'line-delivered', d: deliveredLine }));
      nodes.push(s('path', { class: 'line-failed', d: line(failed) }));
    } else {
      nodes.push(s('text', { class: 'chart-empty', x: m.left + plotW / 2, y: m.top + plotH / 2, 'text-anchor': 'middle' },
        tp ? 'No data yet' : 'Loading…'));
    }
    nodes.push(s('line', { class: 'axis', x1: m.left, x2: m.left + plotW, y1: m.top + plotH, y2: m.top + plotH }));

    clear(svg);
    nodes.forEach(function (node) { svg.appendChild(node); });
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Messages view: filters in the hash, cursor pagination in memory                             */
  /* ------------------------------------------------------------------------------------------ */

  // Cursor pages of the filter last shown: coming back (browser Back from a detail) lands on the
  // same page. A new filter starts again at the newest page.
  let paging = { key: null, cursor: null, stack: [] };

  function readFilters(params) {
    const f = {};
    ['destination', 'state', 'ordering_key', 'id_prefix'].forEach(function (k) {
      f[k] = params && params.get(k) ? params.get(k) : '';
    });
    return f;
  }

  function messagesView(gen, params) {
    document.title = 'Messages — outboxd';
    const filters = readFilters(params);
    const key = messagesHash(filters);
    if (paging.key !== key) paging = { key: key, cursor: null, stack: [] };

    // Filter form.
    const destSelect = h('select', { name: 'destination', id: 'filter-destination' });
    fillDestinationSelect(destSelect, filters.destination);
    const stateSelect = h('select', { name: 'state', id: 'filter-state' }, [h('option', { value: '' }, 'all')]);
    STATES.forEach(function (st) { stateSelect.appendChild(h('option', { value: st }, st)); });
    stateSelect.value = STATES.indexOf(filters.state) >= 0 ? filters.state : '';
    const keyInput = h('input', { name: 'ordering_key', id: 'filter-ordering-key', type: 'text', autocomplete: 'off', spellcheck: 'false' });
    keyInput.value = filters.ordering_key;
    const idInput = h('input', {
      name: 'id_prefix', id: 'filter-id-prefix', type: 'text', autocomplete: 'off', spellcheck: 'false',
      maxlength: '36', inputmode: 'text', placeholder: 'e.g. 01a21ac3', 'aria-describedby': 'filter-error'
    });
    idInput.value = filters.id_prefix;
    const formError = h('p', { id: 'filter-error', class: 'field-error', role: 'alert' });
    const form = h('form', { id: 'filters', class: 'filters', novalidate: true, 'aria-label': 'Filter messages' }, [
      h('div', { class: 'field' }, [h('label', { for: 'filter-destination' }, 'Destination'), destSelect]),
      h('div', { class: 'field' }, [h('label', { for: 'filter-state' }, 'State'), stateSelect]),
      h('div', { class: 'field' }, [h('label', { for: 'filter-ordering-key' }, 'Ordering key'), keyInput]),
      h('div', { class: 'field' }, [h('label', { for: 'filter-id-prefix' }, 'ID prefix'), idInput]),
      h('div', { class: 'field field-buttons' }, [
        h('button', { type: 'submit', class: 'primary' }, 'Apply'),
        h('a', { href: '#/messages', class: 'button-link' }, 'Clear')
      ]),
      formError
    ]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();   // form-action 'none': filters go into the hash instead
      const next = {
        destination: destSelect.value,
        state: stateSelect.value,
        ordering_key: keyInput.value.trim(),
        id_prefix: idInput.value.trim()
      };
      if (next.id_prefix && !/^[0-9a-fA-F-]{1,36}$/.test(next.id_prefix)) {
        formError.textContent = 'ID prefix: up to 36 hex digits and dashes.';
        idInput.focus();
        return;
      }
      const hash = messagesHash(next);
      paging = { key: hash, cursor: null, stack: [] };
      if (location.hash === hash) route({ initial: false });   // same hash: no hashchange, reload by hand
      else location.hash = hash;
    });

    // List, pager, empty message.
    const tbody = h('tbody');
    const table = h('table', { id: 'messages', class: 'data stack-on-phone', hidden: true }, [
      h('caption', { class: 'visually-hidden' }, 'Messages, newest first'),
      h('thead', null, h('tr', null, [
        h('th', { scope: 'col' }, 'ID'),
        h('th', { scope: 'col' }, 'Destination'),
        h('th', { scope: 'col' }, 'State'),
        h('th', { scope: 'col', class: 'num' }, 'Attempts'),
        h('th', { scope: 'col' }, 'Next attempt'),
        h('th', { scope: 'col' }, 'Last error'),
        h('th', { scope: 'col' }, 'Created')
      ])),
      tbody
    ]);
    const listArea = h('div', { class: 'list-area' });
    const newer = h('button', { type: 'button', id: 'newer', disabled: true }, '← Newer');
    const older = h('button', { type: 'button', id: 'older', disabled: true }, 'Older →');
    const pageLabel = h('span', { class: 'muted page-label' });
    const refresh = h('button', { type: 'button', class: 'link-button' }, 'Refresh');
    const pager = h('div', { class: 'pager' }, [newer, pageLabel, older]);

    append(main, [
      h('div', { class: 'view-head' }, [h('h1', { tabindex: '-1' }, 'Messages'), refresh]),
      form,
      h('div', { class: 'table-wrap' }, table),
      listArea,
      pager
    ]);

    let nextAfter = null;
    let stopped = false;

    async function load() {
      const done = beginLoading(gen);
      clear(listArea);
      older.disabled = true;
      newer.disabled = true;
      const q = new URLSearchParams();
      Object.keys(filters).forEach(function (k) { if (filters[k]) q.set(k, filters[k]); });
      q.set('order', 'newest');
      q.set('fields', 'summary');
      q.set('limit', String(PAGE_SIZE));
      if (paging.cursor) q.set('after', paging.cursor);
      try {
        const page = await api('GET', '/v1/messages?' + q.toString());
        if (stopped || gen !== viewGen) return;
        const messages = Array.isArray(page.messages) ? page.messages : [];
        nextAfter = page.next_after === null || page.next_after === undefined ? null : String(page.next_after);
        renderMessageRows(tbody, messages);
        table.hidden = messages.length === 0;
        if (messages.length === 0) {
          listArea.appendChild(h('p', { id: 'messages-empty', class: 'empty-box' },
            paging.stack.length ? 'No more messages on this page.' : 'No messages match these filters.'));
        }
        older.disabled = !nextAfter;
        newer.disabled = paging.stack.length === 0;
        pageLabel.textContent = 'Page ' + (paging.stack.length + 1) +
          (messages.length ? ' · ' + plural(messages.length, 'message', 'messages') : '');
      } catch (err) {
        if (stopped || gen !== viewGen) return;
        clear(tbody);
        table.hidden = true;
        newer.disabled = paging.stack.length === 0;
        const retry = h('button', { type: 'button' }, 'Try again');
        retry.addEventListener('click', load);
        listArea.appendChild(h('div', { class: 'error-box', role: 'alert' }, [
          h('p', null, 'Could not list the messages: ' + errorText(err)), retry
        ]));
      } finally {
        done();
        markReady();
      }
    }

    older.addEventListener('click', function () {
      if (!nextAfter) return;
      paging.stack.push(paging.cursor);
      paging.cursor = nextAfter;
      load().then(function () { if (!older.disabled) older.focus(); else if (!newer.disabled) newer.focus(); });
    });
    newer.addEventListener('click', function () {
      if (!paging.stack.length) return;
      paging.cursor = paging.stack.pop();
      load().then(function () { if (!newer.disabled) newer.focus(); else if (!older.disabled) older.focus(); });
    });
    refresh.addEventListener('click', function () { load(); });

    // The destination list comes from the overview; fetch it if this is the first view opened.
    if (!knownDestinations.length) {
      api('GET', '/v1/overview').then(function (ov) {
        if (stopped || gen !== viewGen || !Array.isArray(ov.destinations)) return;
        knownDestinations = ov.destinations.map(function (d) { return String(d.destination); });
        fillDestinationSelect(destSelect, destSelect.value || filters.destination);
      }).catch(function () { /* the select keeps "all" and the current filter; the list shows errors */ });
    }

    load();

    return {
      name: 'messages',
      stop: function () { stopped = true; },
      refresh: load
    };
  }

  function fillDestinationSelect(select, selected) {
    clear(select);
    select.appendChild(h('option', { value: '' }, 'all'));
    const names = knownDestinations.slice();
    if (selected && names.indexOf(selected) < 0) names.push(selected);   // a filter from a link or reload
    names.forEach(function (name) { select.appendChild(h('option', { value: name }, name)); });
    select.value = selected || '';
  }

  function renderMessageRows(tbody, messages) {
    clear(tbody);
    messages.forEach(function (m) {
      const id = String(m.id);
      const lastError = m.last_error ? String(m.last_error) : '';
      const errorCell = h('td', { class: 'last-error', 'data-label': 'Last error' });
      if (lastError) {
        errorCell.title = lastError;
        errorCell.appendChild(h('span', null, truncate(lastError, ERROR_PREVIEW_CHARS)));
      } else {
        errorCell.appendChild(h('span', { class: 'muted' }, '—'));
      }
      tbody.appendChild(h('tr', { dataset: { id: id, state: String(m.state) } }, [
        h('td', { class: 'id', 'data-label': 'ID' }, h('a', { href: '#/messages/' + id, class: 'mono' }, id)),
        h('td', { 'data-label': 'Destination' }, String(m.destination)),
        h('td', { 'data-label': 'State' }, stateBadge(m.state)),
        h('td', { class: 'num', 'data-label': 'Attempts' }, attemptsText(m)),
        h('td', { 'data-label': 'Next attempt' }, m.state === 'pending' ? timeEl(m.available_at, 'short', 'next') : '—'),
        errorCell,
        h('td', { 'data-label': 'Created' }, timeEl(m.created_at, 'short', false))
      ]));
    });
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Message detail view                                                                         */
  /* ------------------------------------------------------------------------------------------ */

  function detailView(gen, id) {
    document.title = 'Message ' + id + ' — outboxd';
    const section = h('section', { id: 'message-detail', 'aria-labelledby': 'detail-heading' });
    const back = h('a', { href: paging.key || '#/messages', class: 'back-link' }, '← Messages');
    append(main, [back, h('h1', { id: 'detail-heading', tabindex: '-1' }, ['Message ', h('code', { class: 'mono id-heading' }, id)]), section]);
    section.appendChild(h('p', { class: 'muted' }, 'Loading…'));
    let stopped = false;

    async function load() {
      const done = beginLoading(gen);
      try {
        // lossless: payload numbers keep every digit PostgreSQL stored.
        const msg = await api('GET', '/v1/messages/' + encodeURIComponent(id), { lossless: true });
        if (stopped || gen !== viewGen) return;
        const hadFocus = section.contains(document.activeElement);
        renderDetail(section, msg, load);
        if (hadFocus && !section.contains(document.activeElement)) main.querySelector('h1').focus();
      } catch (err) {
        if (stopped || gen !== viewGen) return;
        clear(section);
        const text = err.status === 404 ? 'There is no message with this id.' : 'Could not read the message: ' + errorText(err);
        const box = h('div', { class: 'error-box', role: 'alert' }, h('p', null, text));
        if (err.status !== 404 && err.status !== 400) {
          const retry = h('button', { type: 'button' }, 'Try again');
          retry.addEventListener('click', load);
          box.appendChild(retry);
        }
        section.appendChild(box);
      } finally {
        done();
        markReady();
      }
    }
    load();
    return { name: 'detail', stop: function () { stopped = true; }, refresh: load };
  }

  function renderDetail(section, m, reload) {
    clear(section);
    const id = String(m.id);
    const state = String(m.state);

    // State and the actions that apply to it.
    const head = h('div', { class: 'detail-head' }, [
      h('span', { class: 'detail-state' }, ['State: ', h('span', { class: 'badge state-' + (STATES.indexOf(state) >= 0 ? state : 'unknown'), dataset: { field: 'state' } }, state)])
    ]);
    if (isAdmin()) {
      const actions = h('div', { class: 'detail-actions' });
      if (state === 'dead' || state === 'cancelled') {
        const retry = h('button', { type: 'button', class: 'primary', dataset: { action: 'retry' } }, 'Retry');
        retry.addEventListener('click', function () { retryMessage(retry, id); });
        actions.appendChild(retry);
      }
      if (state === 'pending') {
        const cancel = h('button', { type: 'button', class: 'danger', dataset: { action: 'cancel' } }, 'Cancel message');
        cancel.addEventListener('click', function () { cancelMessage(cancel, id); });
        actions.appendChild(cancel);
      }
      head.appendChild(actions);
    }
    const refresh = h('button', { type: 'button', class: 'link-button' }, 'Refresh');
    refresh.addEventListener('click', reload);
    head.appendChild(refresh);
    section.appendChild(head);

    // Fields.
    const dl = h('dl', { class: 'fields' });
    function field(label, value, name) {
      dl.appendChild(h('div', { class: 'field-row' }, [
        h('dt', null, label),
        h('dd', name ? { dataset: { field: name } } : null, value === null || value === undefined || value === '' ? h('span', { class: 'muted' }, '—') : value)
      ]));
    }
    const destination = String(m.destination);
    field('Destination', h('a', { href: messagesHash({ destination: destination }) }, destination), 'destination');
    field('Attempts', attemptsText(m), 'attempts');
    field('Priority', m.priority === null || m.priority === undefined ? null : String(m.priority), 'priority');
    field('Ordering key', m.ordering_key ? h('a', {
      href: messagesHash({ destination: destination, ordering_key: String(m.ordering_key) }),
      title: 'messages with this ordering key'
    }, String(m.ordering_key)) : null, 'ordering_key');
    field('Idempotency key', m.idempotency_key ? String(m.idempotency_key) : null, 'idempotency_key');
    field('Sequence', m.seq === null || m.seq === undefined ? null : String(m.seq), 'seq');
    field('Created', m.created_at ? timeEl(m.created_at, 'long', true) : null, 'created_at');
    field('Updated', m.updated_at ? timeEl(m.updated_at, 'long', true) : null, 'updated_at');
    field(state === 'pending' ? 'Available (next attempt)' : 'Available', m.available_at ? timeEl(m.available_at, 'long', true) : null, 'available_at');
    field('Finalized', m.finalized_at ? timeEl(m.finalized_at, 'long', true) : null, 'finalized_at');
    if (m.last_error) field('Last error', h('span', { class: 'pre-wrap' }, String(m.last_error)), 'last_error');
    section.appendChild(dl);

    // Payload and headers: text only, so a payload holding markup shows as that markup's text.
    const omitted = m.omitted && typeof m.omitted === 'object' ? m.omitted : null;
    section.appendChild(h('h2', null, 'Payload'));
    section.appendChild(jsonBlock('payload', m.payload, omitted, 'payload_stored_bytes'));
    section.appendChild(h('h2', null, 'Headers'));
    section.appendChild(jsonBlock('headers', m.headers, omitted, 'headers_stored_bytes'));

    // Error history, one entry per failed attempt, as the API keeps it.
    const errors = Array.isArray(m.errors) ? m.errors : [];
    section.appendChild(h('h2', null, 'Errors'));
    if (!errors.length) section.appendChild(h('p', { class: 'muted' }, 'No failed attempts recorded.'));
    const list = h('ol', { id: 'errors', class: 'errors' });
    errors.forEach(function (e) {
      const entry = e && typeof e === 'object' ? e : { error: String(e) };
      list.appendChild(h('li', null, [
        h('div', { class: 'error-meta' }, [
          h('span', { class: 'error-attempt' }, 'Attempt ' + (entry.attempt === undefined || entry.attempt === null ? '?' : String(entry.attempt))),
          ' · ',
          entry.at ? timeEl(entry.at, 'long', false) : h('span', { class: 'muted' }, 'time unknown')
        ]),
        h('div', { class: 'error-text pre-wrap' }, entry.error === undefined || entry.error === null ? '' : String(entry.error))
      ]));
    });
    section.appendChild(list);
  }

  function jsonBlock(id, value, omitted, sizeKey) {
    if (omitted) {
      const size = typeof omitted[sizeKey] === 'number' ? ' (' + omitted[sizeKey] + ' bytes stored, compressed)' : '';
      return h('pre', { id: id, class: 'json omitted' }, 'Not shown: ' + (omitted.reason ? String(omitted.reason) : 'omitted by the server') + size);
    }
    let text;
    try { text = JSON.stringify(value === undefined ? null : value, null, 2); } catch (e) { text = String(value); }
    return h('pre', { id: id, class: 'json', tabindex: '0', 'aria-label': id }, text);
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Actions (admin scope): each disables its button, reports in #notice, refreshes the view     */
  /* ------------------------------------------------------------------------------------------ */

  async function runAction(button, request, success, failurePrefix) {
    // aria-disabled, not disabled: a disabled button drops keyboard focus to <body>, and the
    // person should stay where they were (the refresh moves focus to the replacing button).
    if (button.getAttribute('aria-disabled') === 'true') return;   // a double click
    button.setAttribute('aria-disabled', 'true');
    try {
      const result = await request();
      showNotice(success(result), 'ok');
    } catch (err) {
      if (err.status === 401) return;   // onUnauthorized already showed the sign-in form
      showNotice(failurePrefix + ': ' + errorText(err), 'error');
    } finally {
      button.removeAttribute('aria-disabled');
      if (currentView && currentView.refresh) {
        currentView.refresh();
        // The overview's counts are a reading up to 2 s old: look again once the next one is due,
        // so the row (and its buttons) shows what the action did.
        const view = currentView;
        setTimeout(function () { if (currentView === view && view.refresh) view.refresh(); }, 2200);
      }
    }
  }

  function pauseOrResume(button, name, pause) {
    const verb = pause ? 'pause' : 'resume';
    return runAction(button,
      function () { return api('POST', '/v1/destinations/' + encodeURIComponent(name) + '/' + verb); },
      function (r) {
        if (r.changed === false) return name + ' was already ' + (pause ? 'paused' : 'running (not paused)') + '.';
        return pause ? 'Paused ' + name + ': no daemon claims its messages until it is resumed.' : 'Resumed ' + name + '.';
      },
      'Could not ' + verb + ' ' + name);
  }

  async function retryAllDead(button, name) {
    const row = lastOverviewRows.get(name);
    const dead = row && typeof row.dead === 'number' ? row.dead : 0;
    const ok = await confirmAction(
      'Retry all ' + plural(dead, 'dead message', 'dead messages') + ' of ' + name + '?',
      'Retry ' + plural(dead, 'message', 'messages'));
    if (!ok) return;
    return runAction(button,
      function () { return api('POST', '/v1/destinations/' + encodeURIComponent(name) + '/retry-dead'); },
      function (r) {
        const n = typeof r.retried === 'number' ? r.retried : 0;
        return n ? 'Retried ' + plural(n, 'dead message', 'dead messages') + ' of ' + name + '; they are pending again.'
          : 'No dead messages of ' + name + ' to retry.';
      },
      'Could not retry the dead messages of ' + name);
  }

  function retryMessage(button, id) {
    return runAction(button,
      function () { return api('POST', '/v1/messages/' + encodeURIComponent(id) + '/retry'); },
      function () { return 'Message ' + id + ' is pending again and due now.'; },
      'Could not retry message ' + id);
  }

  function cancelMessage(button, id) {
    return runAction(button,
      function () { return api('POST', '/v1/messages/' + encodeURIComponent(id) + '/cancel'); },
      function () { return 'Message ' + id + ' cancelled.'; },
      'Could not cancel message ' + id);
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Start                                                                                       */
  /* ------------------------------------------------------------------------------------------ */

  function start() {
    document.getElementById('signout').addEventListener('click', signOut);
    document.getElementById('notice-dismiss').addEventListener('click', clearNotice);

    // The skip link targets #main, but hashes are routes here: focus <main> without navigating.
    document.querySelector('.skip-link').addEventListener('click', function (event) {
      event.preventDefault();
      main.focus();
    });

    window.addEventListener('hashchange', function () { route({ initial: false }); });

    let resizeQueued = false;
    window.addEventListener('resize', function () {
      if (resizeQueued) return;
      resizeQueued = true;
      requestAnimationFrame(function () {
        resizeQueued = false;
        if (currentView && currentView.resize) currentView.resize();
      });
    });

    let zone = '';
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
    document.getElementById('timezone-note').textContent =
      'Times are shown in this browser\'s time zone' + (zone ? ' (' + zone + ')' : '') + '; hover a time for the server\'s value.';

    checkWhoami();
  }

  start();
})();
