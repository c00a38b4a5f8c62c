/**
 * The per-run secret, as Jupyter does it: printed once in the URL the CLI opens, then kept
 * in an HttpOnly SameSite=Strict cookie. Compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const tokenCookie = 'mtls_lab_token';

export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
