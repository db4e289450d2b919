// How values read on the pages: local times, short ids, milliseconds, token counts.

const pad = (n) => String(n).padStart(2, '0');

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export const fmt = {
  /** HH:MM:SS today, else with the date. */
  time(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return sameDay(d, new Date()) ? t : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}`;
  },
  dateTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
      + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
      + `.${String(d.getMilliseconds()).padStart(3, '0')}`;
  },
  /** A day heading: Today, Yesterday, or the date. */
  day(iso) {
    const d = new Date(iso);
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86400000);
    if (sameDay(d, today)) return 'Today';
    if (sameDay(d, yesterday)) return 'Yesterday';
    return d.toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
  },
  ms(v) {
    if (v === null || v === undefined) return '—';
    return v >= 10000 ? (v / 1000).toFixed(1) + ' s' : v + ' ms';
  },
  duration(ms) {
    if (ms === null || ms === undefined) return '—';
    const s = Math.round(ms / 1000);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.round(s / 60) + ' min';
    if (s < 86400) return Math.round(s / 360) / 10 + ' h';
    return Math.round(s / 8640) / 10 + ' d';
  },
  span(fromIso, toIso) {
    return fmt.duration(new Date(toIso) - new Date(fromIso));
  },
  tokens(v) {
    if (v === null || v === undefined) return '—';
    return v >= 100000 ? Math.round(v / 1000) + 'k' : String(v);
  },
  percent(rate) {
    return (rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 1) + ' %';
  },
  chars(text) {
    const n = (text || '').length;
    return n >= 1000 ? (n / 1000).toFixed(1) + 'k chars' : n + ' chars';
  },
  short(id, n = 10) {
    if (!id) return '';
    return id.length > n + 1 ? id.slice(0, n) + '…' : id;
  },
  /** backend / model of a route (a leg, a broken or continuing route), or of a row. */
  route(r) {
    if (!r) return 'none';
    return (r.backend || 'none') + (r.model ? ' / ' + r.model : '');
  },
  /** The routes that answered, in order: one, or each leg of a stream finished on other routes after a break. */
  legs(r) {
    const legs = r.legs || [];
    return legs.length > 1 ? legs.map((l) => fmt.route(l)).join(' ⇢ ') : fmt.route(r);
  },
  /** 'recovered', 'recovered ×2', or 'stream broke' when a break could not be continued; '' without a break. */
  recovery(r) {
    const all = r.recoveries || [];
    if (!all.length) return '';
    if (all.some((x) => !x.continued_on)) return 'stream broke';
    return all.length > 1 ? `recovered ×${all.length}` : 'recovered';
  },
  /** Where and why each break happened, and who continued: a row's tooltip. */
  recoveryTitle(r) {
    return (r.recoveries || []).map((x) => `broke on ${fmt.route(x.broken_route)} after ${x.delivered_chars} `
      + `characters (${x.reason}); ` + (x.continued_on ? `continued on ${fmt.route(x.continued_on)}`
      : 'no route could continue')).join('\n');
  },
  protocolName(p) {
    return { openai: 'OpenAI', anthropic: 'Anthropic' }[p] || p || '?';
  },
  /** 'OpenAI → Anthropic' when the request was translated for the route that served it, else ''. */
  translation(r) {
    return r.route_protocol && r.protocol && r.route_protocol !== r.protocol
      ? `${fmt.protocolName(r.protocol)} → ${fmt.protocolName(r.route_protocol)}` : '';
  },
  /** A tag for an API other than chat completions and messages: responses, bedrock, embeddings, a passed path. */
  endpoint(r) {
    const e = r.endpoint || '';
    if (e === '/chat/completions' || e === '/messages' || e === '') return '';
    if (e.startsWith('/model/')) return 'bedrock';
    return e.replace(/^\//, '');
  },
  statusClass(r) {
    if (r.status >= 500 || r.status === 499) return 'bad';
    if (r.status >= 400 || r.error) return 'warn';
    return 'ok';
  },
};
