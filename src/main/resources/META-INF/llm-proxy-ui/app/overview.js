// The Overview: figures and charts over a time window (uPlot), the gateway's routes and config state.
import Alpine from '/ui/vendor/alpinejs/3.14.9/dist/module.esm.min.js';
import uPlot from '/ui/vendor/uplot/1.6.30/dist/uPlot.esm.js';
import { getJson, debounce } from './api.js';

const REFRESH_MS = 5000;
const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16',
  '#f97316', '#6366f1', '#14b8a6', '#a855f7', '#64748b'];

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function overviewPage() {
  // Kept out of Alpine's reactive data: uPlot instances must not be wrapped in proxies.
  const charts = {};
  return {
    window: '1h',
    series: null,
    stats: null,
    updated: null,

    init() {
      const explore = Alpine.store('ui').status.mode === 'explore';
      this.window = Alpine.store('ui').params.window || (explore ? 'all' : '1h');
      this.refresh();
      this.timer = setInterval(() => this.refresh(), REFRESH_MS);
      this.soon = debounce(() => this.refresh(), 1500);
      this.onLive = () => this.soon();
      window.addEventListener('llm-request', this.onLive);
      this.resizer = new ResizeObserver(() => this.resize());
      this.resizer.observe(this.$el);
      this.scheme = window.matchMedia('(prefers-color-scheme: dark)');
      this.onScheme = () => this.redraw();
      this.scheme.addEventListener('change', this.onScheme);
    },

    destroy() {
      clearInterval(this.timer);
      this.soon.cancel();
      window.removeEventListener('llm-request', this.onLive);
      this.resizer.disconnect();
      this.scheme.removeEventListener('change', this.onScheme);
      this.clear();
    },

    clear() {
      for (const ref of Object.keys(charts)) {
        charts[ref].plot.destroy();
        delete charts[ref];
      }
    },

    async refresh() {
      const ui = Alpine.store('ui');
      let since = this.window;
      if (this.window === 'all') since = ui.status.data_range ? ui.status.data_range.first_at : '1h';
      try {
        const [series, stats] = await Promise.all([
          getJson('/series', { window: this.window }),
          getJson('/stats', { since }),
        ]);
        this.series = series;
        this.stats = stats;
        this.updated = new Date().toISOString();
        this.draw();
      } catch (e) {
        ui.error = e.message;
      }
    },

    rate() {
      if (!this.series || !this.stats) return '';
      const seconds = (new Date(this.series.until) - new Date(this.series.since)) / 1000;
      const perSecond = this.stats.total.requests / seconds;
      return perSecond >= 0.1 ? perSecond.toFixed(2) + ' req/s on average'
        : (perSecond * 60).toFixed(2) + ' req/min on average';
    },

    backendErrors(backend) {
      if (!this.stats) return '';
      const b = this.stats.by_backend.find((x) => x.backend === backend);
      return b ? `${b.errors} / ${b.requests}` : '0 / 0';
    },

    captureLine() {
      const c = Alpine.store('ui').status.capture || {};
      return `capture ${c.enabled ? 'on' : 'off'} · store ${c.store || 'none'} · queued ${c.queued} · `
        + `dropped ${c.dropped}`;
    },

    /** Client keys (names), routing rules and the transparent mode: how requests reach the routes. */
    clientsLine() {
      const c = Alpine.store('ui').status.clients;
      if (!c) return '';
      const bits = [];
      if (c.keys.length) bits.push('client keys: ' + c.keys.join(', '));
      if (c.routing_rules.length) {
        bits.push('routing rules: ' + c.routing_rules.map((r) => `${r.name} → ${r.alias}`).join(', '));
      }
      if (c.passthrough) {
        const p = Object.entries(c.passthrough).filter(([, b]) => b).map(([k, b]) => `${k} → ${b}`);
        bits.push('passthrough: ' + p.join(', '));
      }
      return bits.join(' · ');
    },

    routeRows() {
      const rows = [];
      for (const a of Alpine.store('ui').status.routes || []) {
        a.routes.forEach((r, i) => rows.push({ ...r, alias: a.alias, first: i === 0, key: `${a.alias}|${i}` }));
      }
      return rows;
    },

    /** Each chart: its series names and values, from the series answer. */
    specs() {
      const s = Alpine.raw(this.series);
      const seconds = s.bucket_ms / 1000;
      const perSecond = (values) => values.map((v) => v / seconds);
      const groups = (byName, field, map) => Object.entries(byName).map(([name, g]) => ({
        label: name, values: map ? map(g[field]) : g[field] }));
      const total = s.total;
      const errorRate = total.requests.map((n, i) => (n === 0 ? null : (100 * total.errors[i]) / n));
      return {
        rpsAlias: groups(s.by_alias, 'requests', perSecond),
        rpsBackend: groups(s.by_backend, 'requests', perSecond),
        errors: [{ label: 'errors %', values: errorRate, gaps: true }],
        latency: [
          { label: 'p50', values: total.p50_ms, gaps: true },
          { label: 'p95', values: total.p95_ms, gaps: true },
          { label: 'TTFB p50', values: total.ttfb_p50_ms, dash: true, gaps: true },
          { label: 'TTFB p95', values: total.ttfb_p95_ms, dash: true, gaps: true },
        ],
        tokensAlias: groups(s.by_alias, 'tokens'),
        tokensBackend: groups(s.by_backend, 'tokens'),
      };
    },

    draw() {
      if (!this.series) return;
      const xs = Alpine.raw(this.series).t.map((t) => t / 1000);
      for (const [ref, lines] of Object.entries(this.specs())) {
        const el = this.$refs[ref];
        if (!el) continue;
        const key = lines.map((l) => l.label).join('|');
        const data = [xs, ...lines.map((l) => l.values)];
        const existing = charts[ref];
        if (existing && existing.key === key) {
          existing.plot.setData(Alpine.raw(data));
          continue;
        }
        if (existing) existing.plot.destroy();
        charts[ref] = { key, plot: new uPlot(this.options(el, lines), Alpine.raw(data), el) };
      }
    },

    redraw() {
      this.clear();
      this.draw();
    },

    resize() {
      for (const [ref, c] of Object.entries(charts)) {
        const el = this.$refs[ref];
        if (el) c.plot.setSize({ width: Math.max(200, el.clientWidth), height: 180 });
      }
    },

    options(el, lines) {
      const axis = { stroke: css('--muted'), grid: { stroke: css('--grid') }, ticks: { stroke: css('--grid') } };
      return {
        width: Math.max(200, el.clientWidth),
        height: 180,
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [axis, { ...axis, size: 50 }],
        series: [{}, ...lines.map((l, i) => ({
          label: l.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          dash: l.dash ? [6, 4] : undefined,
          spanGaps: false,
          // Percentiles and rates have no value in an empty bucket: dots keep a lone bucket visible.
          points: l.gaps ? { show: true, size: 5 } : { show: false },
          value: (u, v) => (v === null || v === undefined ? '—' : Number.isInteger(v) ? v : v.toFixed(2)),
        }))],
      };
    },
  };
}
