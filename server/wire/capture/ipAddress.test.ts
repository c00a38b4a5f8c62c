import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from './ipAddress.js';

describe('parseIp and formatIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['::', '::'],
    ['2001:DB8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
    ['fe80::1%lo', 'fe80::1'],
    ['[::1]', '::1'],
  ])('reads %s and writes it back as %s (RFC 5952)', (input, canonical) => {
    const bytes = parseIp(input);
    expect(bytes).toBeDefined();
    expect(formatIp(bytes!)).toBe(canonical);
  });

  it.each(['localhost', '256.0.0.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ''])('refuses %j as an address literal', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });
});
