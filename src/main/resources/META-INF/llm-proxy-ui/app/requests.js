// The Requests page: newest first, filters and full-text search in the URL, live rows from the feed.
import Alpine from '/ui/vendor/alpinejs/3.14.9/dist/module.esm.min.js';
import { getJson, debounce, typing } from './api.js';

const FILTERS = ['q', 'alias', 'backend', 'status', 'stream', 'since', 'session'];
const PAGE = 100;
const POLL_MS = 5000;  // only while the live feed is down

export function requestsPage() {
  return {
    rows: [],
    next: null,
    loading: false,
    sel: -1,
    f: Object.fromEntries(FILTERS.map((k) => [k, ''])),
    generation: 0,

    init() {
      this.readRoute();
      this.load();
      this.$watch('$store.ui.params', () => {
        if (Alpine.store('ui').page !== 'requests') return;
        this.readRoute();
        this.load();
      });
      this.reload = debounce(() => this.load(), 300);
      this.onLive = (e) => this.arrived(e.detail);
      this.onGap = () => this.reload();
      this.onKey = (e) => this.key(e);
      window.addEventListener('llm-request', this.onLive);
      window.addEventListener('llm-gap', this.onGap);
      window.addEventListener('keydown', this.onKey);
      this.poll = setInterval(() => {
        const ui = Alpine.store('ui');
        if (!ui.live && ui.status.mode === 'proxy' && !this.loading) this.load();
      }, POLL_MS);
    },

    destroy() {
      clearInterval(this.poll);
      window.removeEventListener('llm-request', this.onLive);
      window.removeEventListener('llm-gap', this.onGap);
      window.removeEventListener('keydown', this.onKey);
      this.reload.cancel();
    },

    readRoute() {
      const p = Alpine.store('ui').params;
      for (const k of FILTERS) this.f[k] = p[k] || '';
    },

    filtered() {
      return FILTERS.some((k) => this.f[k]);
    },

    /** Filters go into the URL (so a filtered list can be linked to); the route change reloads. */
    apply() {
      const q = new URLSearchParams();
      for (const k of FILTERS) if (this.f[k]) q.set(k, this.f[k]);
      const hash = '#/requests' + (q.toString() ? '?' + q : '');
      if (location.hash === hash) this.load();
      else location.hash = hash;
    },

    clear() {
      for (const k of FILTERS) this.f[k] = '';
      this.apply();
    },

    async load() {
      const generation = ++this.generation;
      this.loading = true;
      try {
        const page = await getJson('/requests', { ...this.f, limit: PAGE });
        if (generation !== this.generation) return;  // a newer search answered first
        this.rows = page.data;
        this.next = page.next_cursor;
        this.sel = Math.min(this.sel, this.rows.length - 1);
        Alpine.store('ui').error = '';
      } catch (e) {
        if (generation === this.generation) Alpine.store('ui').error = e.message;
      } finally {
        if (generation === this.generation) this.loading = false;
      }
    },

    async more() {
      if (!this.next) return;
      this.loading = true;
      try {
        const page = await getJson('/requests', { ...this.f, limit: PAGE, cursor: this.next });
        const known = new Set(this.rows.map((r) => r.id));
        this.rows = this.rows.concat(page.data.filter((r) => !known.has(r.id)));
        this.next = page.next_cursor;
      } catch (e) {
        Alpine.store('ui').error = e.message;
      } finally {
        this.loading = false;
      }
    },

    /** A request just captured: on top at once, or, when a filter is on, a fresh query decides. */
    arrived(row) {
      if (this.filtered()) {
        this.reload();
        return;
      }
      if (this.rows.some((r) => r.id === row.id)) return;
      row._fresh = true;
      this.rows = [row, ...this.rows];
      if (this.sel >= 0) this.sel++;
      setTimeout(() => {
        const r = this.rows.find((x) => x.id === row.id);
        if (r) r._fresh = false;
      }, 2500);
    },

    /** A client_keys name; proxy_api_key's ("default") would only repeat itself on every row. */
    namedKey(r) {
      return r.client_key && r.client_key !== 'default' ? r.client_key : '';
    },

    failedRow(r) {
      return r.status >= 400 || !!r.error;
    },

    open(r) {
      location.hash = '#/requests/' + encodeURIComponent(r.id);
    },

    emptyText() {
      const ui = Alpine.store('ui');
      if (this.filtered()) return 'No captured request matches these filters.';
      if (ui.status.mode === 'explore') return 'No captured requests in this data.';
      return 'No requests captured yet. Send one to the proxy: it shows up here as soon as it finishes.';
    },

    key(e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '/') {
        e.preventDefault();
        document.getElementById('q').focus();
      } else if (e.key === 'j' || e.key === 'ArrowDown') {
        e.preventDefault();
        this.select(Math.min(this.rows.length - 1, this.sel + 1));
      } else if (e.key === 'k' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.select(Math.max(0, this.sel - 1));
      } else if (e.key === 'Enter' && this.sel >= 0 && this.rows[this.sel]) {
        this.open(this.rows[this.sel]);
      }
    },

    select(i) {
      this.sel = i;
      this.$nextTick(() => {
        const row = document.querySelectorAll('#requests tbody tr')[i];
        if (row) row.scrollIntoView({ block: 'nearest' });
      });
    },
  };
}
