/**
 * DNS rebinding guard: a page on evil.example that resolves its name to 127.0.0.1 still
 * sends `Host: evil.example`, so only loopback names (and the name we were told to bind)
 * are served. After vite's `middlewares/hostCheck.ts`.
 */
const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The host part of a Host header value (`[::1]:8080` → `[::1]`), lower-cased. */
function hostname(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.split(':')[0] ?? '';
}

export function isAllowedHost(hostHeader: string | undefined, bindHost: string): boolean {
  if (!hostHeader) return false;
  const name = hostname(hostHeader);
  return loopbackNames.has(name) || name === bindHost.toLowerCase();
}
