/** Reading request bodies: each wrong shape is BAD_REQUEST naming the field and what it must be. */
import { ApiError } from '../errors.js';

export type Body = Record<string, unknown>;

export function objectBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError('BAD_REQUEST', 'the body must be a JSON object');
  return body as Body;
}

export function stringField(body: Body, name: string): string;
export function stringField(body: Body, name: string, optional: true): string | undefined;
export function stringField(body: Body, name: string, optional = false): string | undefined {
  const value = body[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new ApiError('BAD_REQUEST', `"${name}" must be a non-empty string${optional ? ' when given' : ''}`);
  }
  return value;
}

export function wholeNumberField(body: Body, name: string, min: number, max: number, fallback?: number): number {
  const value = body[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ApiError('BAD_REQUEST', `"${name}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** `body[name]` as true or false; `fallback` when absent, required when there is none. */
export function booleanField(body: Body, name: string, fallback?: boolean): boolean {
  const value = body[name] ?? fallback;
  if (typeof value !== 'boolean') throw new ApiError('BAD_REQUEST', `"${name}" must be true or false`);
  return value;
}

export function objectField(body: Body, name: string): Body {
  const value = body[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('BAD_REQUEST', `"${name}" must be an object`);
  return value as Body;
}

export function paramsField(body: Body, name: string): Record<string, unknown> {
  return body[name] === undefined ? {} : objectField(body, name);
}
