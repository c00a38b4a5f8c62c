/**
 * Where a listening server can be reached, as the hosts of the URLs to print and the names
 * the Host check allows. A server bound to one address is reached at that address; one bound
 * to the wildcard answers on every interface, and `0.0.0.0` is no address to browse to
 * (browsers are closing it off: the "0.0.0.0 day" of Private Network Access), so each
 * interface address is listed instead — loopback first, so the first URL is the local one.
 *
 *   listen(host) ──server.address()──▶ bound ──(wildcard? os.networkInterfaces())──▶ [127.0.0.1, 192.0.2.2, [fd00::2]]
 */
import type { NetworkInterfaceInfo } from 'node:os';

/** What `os.networkInterfaces()` returns. */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** An address as the host of a URL and a Host header write it: IPv6 in brackets (RFC 3986 §3.2.2). */
export function urlHost(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  return bare.includes(':') ? `[${bare}]` : bare;
}

/**
 * The URL hosts a server bound to `bound` answers on. `0.0.0.0` listens on every IPv4
 * address; `::` on every address, IPv4 included (Node listens dual-stack unless ipv6Only).
 * IPv6 link-local addresses (fe80::/10) are left out: they need a zone (`%eth0`), which
 * browsers do not take in a URL.
 */
export function reachableAddresses(bound: string, interfaces: InterfaceTable): string[] {
  const address = bound.replace(/^\[|\]$/g, '').toLowerCase();
  if (address !== '0.0.0.0' && address !== '::') return [urlHost(address)];
  const all = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((info) => (address === '::' || info.family === 'IPv4') && !(info.family === 'IPv6' && isLinkLocal(info.address)));
  const ordered = [...all.filter((info) => info.internal), ...all.filter((info) => !info.internal)];
  const hosts = [...new Set(ordered.map((info) => urlHost(info.address)))];
  // No interface listed at all (a bare container): the wildcard still answers on loopback.
  return hosts.length > 0 ? hosts : [address === '::' ? '[::1]' : '127.0.0.1'];
}

const isLinkLocal = (v6: string): boolean => /^fe[89ab][0-9a-f]:/i.test(v6);
