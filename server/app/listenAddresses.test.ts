import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { reachableAddresses, urlHost, type InterfaceTable } from './listenAddresses.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` });
const v6 = (address: string, internal = false, scopeid = 0): NetworkInterfaceInfo => ({ address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal, cidr: `${address}/64`, scopeid });

// As os.networkInterfaces() lists them: not loopback first.
const machine: InterfaceTable = {
  eth0: [v4('192.0.2.2'), v6('fd00::2'), v6('fe80::fc:ff:fe00:1', false, 4)],
  lo: [v4('127.0.0.1', true), v6('::1', true)],
  wlan0: [v4('198.51.100.7'), v6('FE80::1', false, 5), v6('2001:db8::7')],
};

describe('reachableAddresses', () => {
  it('lists every IPv4 interface address for 0.0.0.0, loopback first', () => {
    expect(reachableAddresses('0.0.0.0', machine)).toEqual(['127.0.0.1', '192.0.2.2', '198.51.100.7']);
  });

  it('lists every address for ::, IPv4 too (dual-stack), IPv6 in brackets, link-local left out', () => {
    expect(reachableAddresses('::', machine)).toEqual(['127.0.0.1', '[::1]', '192.0.2.2', '[fd00::2]', '198.51.100.7', '[2001:db8::7]']);
  });

  it('lists the one address a server bound to one address answers on', () => {
    expect(reachableAddresses('127.0.0.1', machine)).toEqual(['127.0.0.1']);
    expect(reachableAddresses('192.0.2.2', machine)).toEqual(['192.0.2.2']);
    expect(reachableAddresses('::1', machine)).toEqual(['[::1]']);
    expect(reachableAddresses('FD00::2', machine)).toEqual(['[fd00::2]']);
  });

  it('falls back to loopback for the wildcard on a machine that lists no interface', () => {
    expect(reachableAddresses('0.0.0.0', {})).toEqual(['127.0.0.1']);
    expect(reachableAddresses('::', { lo: [] })).toEqual(['[::1]']);
  });
});

describe('urlHost', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '[::1]'],
    ['[::1]', '[::1]'],
    ['FD00::2', '[fd00::2]'],
    ['Lab.Example', 'lab.example'],
  ])('%s → %s', (address, host) => {
    expect(urlHost(address)).toBe(host);
  });
});
