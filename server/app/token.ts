/**
 * The per-run secret, as Jupyter does it: printed once in the URL the CLI opens, then kept
 * in an HttpOnly SameSite=Strict cookie (or sent as `Authorization: Bearer` by scripts).
 * Compared in constant time: both sides are hashed first, so neither the length nor the
 * first differing byte shows in the timing (timingSafeEqual needs equal lengths).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * Cookies are not scoped by port (RFC 6265 §8.5): two lab servers on one machine would
 * overwrite each other's cookie under one name, so the name carries the port.
 */
export function tokenCookieName(port: number): string {
  return `mtls_lab_token_${port}`;
}

export function tokenCookie(name: string, token: string): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
