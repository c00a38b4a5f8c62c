/**
 * The real peers a learner would reach for: `openssl s_client` and `curl`, run against a
 * sandbox with the client material `mtls-lab up` describes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { ClientDescription, ServiceDescription } from './cli.js';

export interface PeerResult {
  code: number | null;
  output: string;
}

/** Runs a peer to completion: `input` on its stdin, its stdout and stderr as one output. */
export async function runPeer(command: string, args: string[], input = '', env: NodeJS.ProcessEnv = process.env): Promise<PeerResult> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // A peer may exit before it reads its input (curl refused at once): EPIPE is its answer, not the test's error.
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
}

/** `openssl s_client` as an mTLS client, sending one HTTP request and reading the answer. */
export function opensslClient(service: ServiceDescription, client?: Partial<ClientDescription>, extra: string[] = []): Promise<PeerResult> {
  const args = ['s_client', '-ign_eof', '-connect', `${service.address}:${service.port}`, '-servername', service.host, '-verify_hostname', service.host];
  if (client?.trust) args.push('-CAfile', client.trust);
  if (client?.cert && client.key) args.push('-cert', client.cert, '-key', client.key);
  if (client?.chain) args.push('-cert_chain', client.chain);
  return runPeer('openssl', [...args, ...extra], `GET / HTTP/1.1\r\nHost: ${service.host}\r\nConnection: close\r\n\r\n`);
}

/** `curl` over HTTPS (or plain HTTP with `scheme: 'http'`), resolving the lab's DNS name to the sandbox. */
export function curl(service: ServiceDescription, client?: Partial<ClientDescription>, scheme: 'https' | 'http' = 'https', extra: string[] = []): Promise<PeerResult> {
  const args = ['-sS', '--max-time', '10', '--resolve', service.resolve, `${scheme}://${service.host}:${service.port}/`, ...extra];
  if (client?.trust) args.push('--cacert', client.trust);
  // The client's cert file holds leaf + intermediates, and curl sends every certificate in it.
  if (client?.cert && client.key) args.push('--cert', client.cert, '--key', client.key);
  return runPeer('curl', args);
}

/** `openssl verify` of a certificate file (leaf first, then its intermediates) against one CA. */
export function opensslVerify(caFile: string, certFile: string): Promise<PeerResult> {
  return runPeer('openssl', ['verify', '-CAfile', caFile, '-untrusted', certFile, certFile]);
}

const request = (service: ServiceDescription): string => `GET / HTTP/1.1\r\nHost: ${service.host}\r\nConnection: close\r\n\r\n`;

/**
 * Python's `ssl` as a client (ssl.create_default_context: verifies the chain and the name):
 * prints the first line of the answer, or the exception as Python words it.
 */
export function pythonClient(service: ServiceDescription, client?: Partial<ClientDescription>, options: { tls12?: boolean } = {}): Promise<PeerResult> {
  const script = [
    'import json, socket, ssl, sys',
    'a = json.loads(sys.argv[1])',
    "ctx = ssl.create_default_context(cafile=a.get('trust'))",
    "if a.get('cert'): ctx.load_cert_chain(a['cert'], a['key'])",
    "if a.get('tls12'): ctx.maximum_version = ssl.TLSVersion.TLSv1_2",
    'try:',
    "    with socket.create_connection((a['address'], a['port']), timeout=10) as raw:",
    "        with ctx.wrap_socket(raw, server_hostname=a['host']) as tls:",
    "            tls.sendall(a['request'].encode())",
    "            print(tls.recv(4096).decode(errors='replace').splitlines()[0])",
    'except Exception as e:',
    "    print(type(e).__name__ + ': ' + str(e))",
  ].join('\n');
  const args = { address: service.address, port: service.port, host: service.host, request: request(service), trust: client?.trust, cert: client?.cert, key: client?.key, tls12: options.tls12 };
  return runPeer('python3', ['-c', script, JSON.stringify(args)]);
}

/** Node's `tls.connect` as a client (verifies the chain and the name): prints `code: message` of the error it gets, or the answer's first line. */
export function nodeClient(service: ServiceDescription, client?: Partial<ClientDescription>, options: { tls12?: boolean } = {}): Promise<PeerResult> {
  const script = `
    const tls = require('node:tls'); const fs = require('node:fs');
    const a = JSON.parse(process.argv[1]);
    const socket = tls.connect({ host: a.address, port: a.port, servername: a.host, ...(a.tls12 ? { maxVersion: 'TLSv1.2' } : {}), ...(a.trust ? { ca: fs.readFileSync(a.trust) } : {}),
      ...(a.cert ? { cert: fs.readFileSync(a.cert), key: fs.readFileSync(a.key) } : {}) }, () => socket.write(a.request));
    socket.once('data', (d) => { console.log(String(d).split('\\r\\n')[0]); socket.destroy(); });
    socket.on('error', (e) => console.log(e.code + ': ' + e.message));`;
  const args = { address: service.address, port: service.port, host: service.host, request: request(service), trust: client?.trust, cert: client?.cert, key: client?.key, tls12: options.tls12 };
  return runPeer(process.execPath, ['-e', script, JSON.stringify(args)]);
}
