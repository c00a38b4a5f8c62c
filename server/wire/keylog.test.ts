import { describe, expect, it } from 'vitest';
import { KeyLog } from './keylog.js';
import { rfc8448 } from './testing.js';

describe('KeyLog', () => {
  it('indexes TLS 1.3 secrets by client random', () => {
    const log = KeyLog.parse(`# comment\n\nSERVER_HANDSHAKE_TRAFFIC_SECRET ${rfc8448.clientRandom.toUpperCase()} ${rfc8448.secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET}\n`);
    expect(log.size).toBe(1);
    expect(Buffer.from(log.get(rfc8448.clientRandom, 'SERVER_HANDSHAKE_TRAFFIC_SECRET')!).toString('hex')).toBe(rfc8448.secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET);
    expect(log.get(rfc8448.clientRandom, 'CLIENT_TRAFFIC_SECRET_0')).toBeUndefined();
  });

  it('accepts TLS 1.2 CLIENT_RANDOM master secrets', () => {
    const log = KeyLog.parse(`CLIENT_RANDOM ${'ab'.repeat(32)} ${'cd'.repeat(48)}`);
    expect(log.get('ab'.repeat(32), 'CLIENT_RANDOM')?.length).toBe(48);
  });

  it('rejects malformed lines without throwing and counts them', () => {
    const log = KeyLog.parse(['CLIENT_RANDOM zz 00', 'NOT_A_LABEL ' + 'ab'.repeat(32) + ' 00', 'CLIENT_RANDOM ' + 'ab'.repeat(31) + ' 00', 'CLIENT_RANDOM ' + 'ab'.repeat(32) + ' 0'].join('\n'));
    expect(log.size).toBe(0);
    expect(log.rejected).toBe(4);
  });

  it('takes the lines a Node keylog event delivers, trailing newline included', () => {
    const log = new KeyLog();
    log.addText(Buffer.from(`EXPORTER_SECRET ${rfc8448.clientRandom} ${rfc8448.secrets.EXPORTER_SECRET}\n`));
    expect(log.forClientRandom(rfc8448.clientRandom).has('EXPORTER_SECRET')).toBe(true);
  });

  it('says which lines told something new: a second copy of a secret, as the other end logs it, did not', () => {
    const log = new KeyLog();
    const line = `CLIENT_TRAFFIC_SECRET_0 ${rfc8448.clientRandom} ${rfc8448.secrets.CLIENT_TRAFFIC_SECRET_0}`;
    expect(log.addLine(line)).toBe(true);
    expect(log.addLine(`${line}\n`)).toBe(false);
    expect(log.addLine(line.replace(rfc8448.clientRandom, rfc8448.clientRandom.toUpperCase()))).toBe(false);
    expect(log.addLine(`CLIENT_TRAFFIC_SECRET_0 ${rfc8448.clientRandom} ${'00'.repeat(32)}`)).toBe(true);
    expect(log.addLine('# a comment')).toBe(false);
    expect(log.addLine('CLIENT_RANDOM zz 00')).toBe(false);
    expect(log.size).toBe(1);
    expect(log.rejected).toBe(1);
  });
});
