// Reads the UI's JSON API (/ui/api). A lapsed login sends the page back to the login form.
import Alpine from '/ui/vendor/alpinejs/3.14.9/dist/module.esm.min.js';

export async function getJson(path, params = {}) {
  const url = new URL('/ui/api' + path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, v);
  }
  const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (res.status === 401 && Alpine.store('ui').status.auth === 'login') {
    location.href = '/ui/login';
    throw new Error('not logged in');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    throw new Error((body && body.error && body.error.message) || `${res.status} ${res.statusText}`);
  }
  return body;
}

/** Runs fn at most once per wait, after the calls stop. */
export function debounce(fn, wait) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** True when a key press belongs to a text field, not to the page's shortcuts. */
export function typing(event) {
  const t = event.target;
  return t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
}
