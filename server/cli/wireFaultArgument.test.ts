import { describe, expect, it } from 'vitest';
import { parseWireFaultArgument } from './wireFaultArgument.js';

describe('--wire-fault kind:edge[:direction][,param=value…]', () => {
  it.each([
    ['corrupt-handshake:auth', { kind: 'corrupt-handshake', edge: 'auth' }],
    ['corrupt-handshake:auth:upstream', { kind: 'corrupt-handshake', edge: 'auth', direction: 'upstream' }],
    ['mtu-blackhole:auth,maxRecordBytes=600', { kind: 'mtu-blackhole', edge: 'auth', params: { maxRecordBytes: 600 } }],
    ['latency:auth:downstream,latencyMs=200,toxicity=0.5,seed=7', { kind: 'latency', edge: 'auth', direction: 'downstream', toxicity: 0.5, seed: 7, params: { latencyMs: 200 } }],
  ])('%s', (argument, expected) => {
    expect(parseWireFaultArgument(argument)).toEqual(expected);
  });

  it.each([
    ['latency', /expected kind:edge\[:direction\]/],
    ['latency:auth:sideways', /the direction is upstream \(client → server\) or downstream \(server → client\), not "sideways"/],
    ['latency:auth:upstream:x', /expected kind:edge/],
    ['latency:auth,latencyMs', /"latencyMs" is not param=number/],
  ])('refuses %s', (argument, message) => {
    expect(() => parseWireFaultArgument(argument)).toThrow(message);
  });
});
