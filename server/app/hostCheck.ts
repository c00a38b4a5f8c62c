/**
 * DNS rebinding guard: a page on evil.example whose name is made to resolve to 127.0.0.1
 * still sends `Host: evil.example`, so only the names this server is known by are served:
 * localhost names, the addresses it listens on (listenAddresses.ts: each interface's when it
 * listens on the wildcard), the `--host` it was given, and the names given with
 * `--allowed-hosts` (a name a proxy forwards). After vite's `server/middlewares/hostCheck.ts`
 * and its `server.allowedHosts`. A name must equal an allowed one exactly, in any case and
 * with any port: `localhost.evil.example` and `127.0.0.1.nip.io` are other names.
 */
import { ApiError } from './errors.js';
import { header, type Middleware } from './http.js';
import { urlHost } from './listenAddresses.js';

const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];

export interface HostNames {
  /** The `--host` the server was started with. */
  bindHost: string;
  /** The URL hosts it listens on (reachableAddresses); none before it listens. */
  listening?: readonly string[];
  /** `--allowed-hosts`. */
  extra?: readonly string[];
}

/** The names a Host header may carry. */
export function allowedHostNames({ bindHost, listening = [], extra = [] }: HostNames): ReadonlySet<string> {
  const bind = urlHost(bindHost);
  // The wildcard is no address to reach a server at; its interfaces come in `listening`.
  const wildcard = bind === '0.0.0.0' || bind === '[::]';
  return new Set([...loopbackNames, ...(wildcard ? [] : [bind]), ...listening, ...extra].map((name) => name.toLowerCase()));
}

/** A name `--allowed-hosts` may list: a DNS name or an IP address, IPv6 in brackets; no port, no scheme. */
export function isHostName(name: string): boolean {
  return /^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/i.test(name) && !/^\.|\.\.|\.$/.test(name);
}

/** `name[:port]` or `[v6]:port` (RFC 9110 §7.2 uri-host [":" port]); anything else is refused. */
const hostPattern = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

/** A Host header's (or an origin's host's) name, lower-cased, and its port if it has one. */
export function parseHost(host: string | undefined): { name: string; port: number | undefined } | undefined {
  const match = host === undefined ? null : hostPattern.exec(host.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

export function isAllowedHost(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  const parsed = parseHost(hostHeader);
  return parsed !== undefined && allowed.has(parsed.name);
}

/** `allowed` is read on each request: the addresses are known only once the server listens. */
export function hostCheck(allowed: () => ReadonlySet<string>): Middleware {
  return (ctx, next) => {
    const host = header(ctx.req, 'host');
    if (!isAllowedHost(host, allowed())) throw new ApiError('HOST_NOT_ALLOWED', `Host "${host ?? ''}"`);
    return next();
  };
}
