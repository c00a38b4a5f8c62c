import { describe, expect, it } from 'vitest';
import { aeadSuite, hkdfExpandLabel, nextTrafficSecret, tls12Prf, trafficKeys } from './keySchedule.js';
import { fromHex, rfc8448, toHexString } from './testing.js';

describe('TLS 1.3 key schedule', () => {
  const suite = aeadSuite(0x1301)!;

  it('derives the RFC 8448 server handshake key and iv from the server handshake traffic secret', () => {
    const keys = trafficKeys(suite, fromHex(rfc8448.secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET));
    expect(toHexString(keys.key)).toBe(rfc8448.serverHandshakeKey);
    expect(toHexString(keys.iv)).toBe(rfc8448.serverHandshakeIv);
  });

  it('derives the RFC 8448 server application key and iv from the server application traffic secret', () => {
    const keys = trafficKeys(suite, fromHex(rfc8448.secrets.SERVER_TRAFFIC_SECRET_0));
    expect(toHexString(keys.key)).toBe(rfc8448.serverApplicationKey);
    expect(toHexString(keys.iv)).toBe(rfc8448.serverApplicationIv);
  });

  it('derives the next traffic secret with the "traffic upd" label', () => {
    const secret = fromHex(rfc8448.secrets.CLIENT_TRAFFIC_SECRET_0);
    expect(nextTrafficSecret('sha256', secret)).toEqual(hkdfExpandLabel('sha256', secret, 'traffic upd', new Uint8Array(0), 32));
    expect(nextTrafficSecret('sha256', secret)).not.toEqual(secret);
  });
});

describe('TLS 1.2 PRF', () => {
  it('matches the P_SHA256 test vector circulated on the TLS working group list', () => {
    const out = tls12Prf('sha256', fromHex('9bbe436ba940f017b17652849a71db35'), 'test label', fromHex('a0ba9f936cda311827a6f796ffd5198c'), 100);
    expect(toHexString(out)).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });
});
