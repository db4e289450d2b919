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
  statusClass(r) {
    if (r.status >= 500 || r.status === 499) return 'bad';
    if (r.status >= 400 || r.error) return 'warn';
    return 'ok';
  },
};
