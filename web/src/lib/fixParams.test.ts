import { describe, expect, it } from 'vitest';
import type { ParamDescription } from '../../../server/app/protocol.ts';
import { paramsFrom } from './fixParams.ts';

const tunePool: ParamDescription[] = [
  { name: 'maxSockets', type: 'number', expected: 'a whole number from 1 to 256', required: false, default: 16 },
  { name: 'timeoutMs', type: 'number', expected: 'a whole number from 1 to 300000', required: false },
];

describe('paramsFrom', () => {
  it('reads a number param as a number and leaves blanks out, so defaults apply', () => {
    expect(paramsFrom(tunePool, { maxSockets: ' 32 ', timeoutMs: '' })).toEqual({ maxSockets: 32 });
    expect(paramsFrom(tunePool, {})).toEqual({});
  });

  it('sends text that is not a number as typed, for the server to refuse with the rule', () => {
    expect(paramsFrom(tunePool, { maxSockets: 'many' })).toEqual({ maxSockets: 'many' });
  });

  it('keeps a text param as text', () => {
    const cert: ParamDescription[] = [{ name: 'cert', type: 'string', expected: 'the name of a client certificate in the lab', required: true }];
    expect(paramsFrom(cert, { cert: 'reports-client' })).toEqual({ cert: 'reports-client' });
  });
});
