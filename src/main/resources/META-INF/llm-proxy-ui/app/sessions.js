// The Sessions page: sessions grouped by the day they were last active, filtered by alias or provider.
import Alpine from '/ui/vendor/alpinejs/3.14.9/dist/module.esm.min.js';
import { getJson, debounce } from './api.js';
import { fmt } from './format.js';

export function sessionsPage() {
  return {
    sessions: [],
    days: [],
    next: null,
    loading: false,
    f: { alias: '', backend: '', since: '' },

    init() {
      const p = Alpine.store('ui').params;
      for (const k of Object.keys(this.f)) this.f[k] = p[k] || '';
      this.load();
      this.reload = debounce(() => this.load(), 1000);
      this.onLive = () => this.reload();
      window.addEventListener('llm-request', this.onLive);
    },

    destroy() {
      window.removeEventListener('llm-request', this.onLive);
      this.reload.cancel();
    },

    async load() {
      this.loading = true;
      try {
        const page = await getJson('/sessions', { ...this.f, limit: 200 });
        this.sessions = page.data;
        this.next = page.next_cursor;
        this.group();
      } catch (e) {
        Alpine.store('ui').error = e.message;
      } finally {
        this.loading = false;
      }
    },

    async more() {
      this.loading = true;
      try {
        const page = await getJson('/sessions', { ...this.f, limit: 200, cursor: this.next });
        this.sessions = this.sessions.concat(page.data);
        this.next = page.next_cursor;
        this.group();
      } catch (e) {
        Alpine.store('ui').error = e.message;
      } finally {
        this.loading = false;
      }
    },

    group() {
      const days = [];
      for (const s of this.sessions) {
        const label = fmt.day(s.last_at);
        if (!days.length || days[days.length - 1].label !== label) days.push({ label, sessions: [] });
        days[days.length - 1].sessions.push(s);
      }
      this.days = days;
    },
  };
}
