// The single page: hash routes (#/requests, #/requests/<id>, #/sessions, #/overview), the live feed, shortcuts.
import Alpine from '/ui/vendor/alpinejs/3.14.9/dist/module.esm.min.js';
import { fmt } from './format.js';
import { getJson, typing } from './api.js';
import { requestsPage } from './requests.js';
import { sessionsPage } from './sessions.js';
import { conversationPage } from './conversation.js';
import { overviewPage } from './overview.js';

window.fmt = fmt;  // formatting helpers, used in every page's template

Alpine.store('ui', {
  page: 'requests',
  id: null,
  params: {},
  status: { aliases: [], backends: [] },
  live: false,
  error: '',
  help: false,
});

function route() {
  const ui = Alpine.store('ui');
  const hash = location.hash.replace(/^#/, '') || '/requests';
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean);
  const params = Object.fromEntries(new URLSearchParams(query || ''));
  if (parts[0] === 'requests' && parts[1]) {
    ui.page = 'request';
    ui.id = decodeURIComponent(parts[1]);
  } else if (['requests', 'sessions', 'overview'].includes(parts[0])) {
    ui.page = parts[0];
    ui.id = null;
  } else {
    ui.page = 'requests';
    ui.id = null;
  }
  ui.params = params;
  ui.error = '';
}

async function loadStatus() {
  const ui = Alpine.store('ui');
  try {
    const next = await getJson('/status');
    if (JSON.stringify(next) !== JSON.stringify(ui.status)) ui.status = next;  // no re-render when unchanged
    if (!ui.status.store) {
      ui.error = 'There is no capture store, so there is nothing to list: turn capture on with a store '
        + '(capture.store.type: sqlite) and restart; see docs/capture.md.';
    }
  } catch (e) {
    ui.error = 'Cannot read the proxy state: ' + e.message;
  }
  return ui.status;
}

/** The live feed: one event per captured request, re-broadcast to whichever page listens. */
function connectLive() {
  const ui = Alpine.store('ui');
  const source = new EventSource('/ui/api/live');
  source.onopen = () => { ui.live = true; };
  source.onerror = () => { ui.live = false; };
  source.addEventListener('request', (e) => {
    window.dispatchEvent(new CustomEvent('llm-request', { detail: JSON.parse(e.data) }));
  });
  source.addEventListener('gap', () => window.dispatchEvent(new CustomEvent('llm-gap')));
}

let pendingG = false;
window.addEventListener('keydown', (e) => {
  const ui = Alpine.store('ui');
  if (e.key === 'Escape' && typing(e)) {
    e.target.blur();
    return;
  }
  if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
  if (pendingG) {
    pendingG = false;
    const to = { r: '#/requests', s: '#/sessions', o: '#/overview' }[e.key];
    if (to) location.hash = to;
    return;
  }
  if (e.key === 'g') {
    pendingG = true;
    setTimeout(() => { pendingG = false; }, 1000);
  } else if (e.key === '?') {
    ui.help = !ui.help;
  } else if (e.key === 'Escape') {
    if (ui.help) ui.help = false;
    else if (ui.page === 'request') location.hash = '#/requests';
  }
});

Alpine.data('requestsPage', requestsPage);
Alpine.data('sessionsPage', sessionsPage);
Alpine.data('conversationPage', conversationPage);
Alpine.data('overviewPage', overviewPage);

window.addEventListener('hashchange', route);
route();
loadStatus().then((status) => {
  if (status.mode === 'proxy') connectLive();
});
setInterval(loadStatus, 10000);  // route health and reloads change without a request
Alpine.start();
