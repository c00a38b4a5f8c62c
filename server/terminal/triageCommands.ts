/**
 * The triage commands an on-call engineer would type, for one sandbox: real command lines
 * for its terminal, pasted with one click.
 *
 *   SandboxDescription ──each client → service edge, each TLS service──▶ TriageCommand[] ──▶ browser
 *
 * They are built from the sandbox's description alone — the topology and each client's
 * files, which the browser already holds — so they are the same whatever the fault: they
 * reproduce what each client does and ask each party what it holds; they never name a
 * finding. Paths are relative to the sandbox directory, where the terminal starts and stays.
 */
import type { ClientDescription, SandboxDescription, ServiceDescription } from '../runtime/index.js';

export interface TriageCommand {
  /** What the command finds out, in a few words. */
  title: string;
  /** One shell line, runnable as is in the sandbox's terminal. */
  command: string;
}

export function triageCommands(description: SandboxDescription): TriageCommand[] {
  const file = (path: string): string => shellWord(path.startsWith(`${description.dir}/`) ? path.slice(description.dir.length + 1) : path);
  const commands: TriageCommand[] = [];
  const certsRead = new Set<string>();

  for (const [name, client] of Object.entries(description.clients)) {
    const service = description.services[client.calls];
    if (!service) continue;
    const edge = `${name} → ${client.calls}`;
    if (client.protocol === 'tls') commands.push({ title: `${edge}: the handshake as openssl s_client sees it`, command: sClient(service, client, file) });
    commands.push({ title: `${edge}: one request with curl, verbose`, command: curl(service, client, file) });
    if (client.cert && !certsRead.has(client.cert)) {
      certsRead.add(client.cert);
      commands.push({
        title: `${name}'s certificate: subject, issuer, validity, names, usage`,
        command: `openssl x509 -in ${file(client.cert)} -noout -subject -issuer -dates -ext subjectAltName,extendedKeyUsage`,
      });
    }
    if (client.cert && service.trust) {
      // The certificate file holds the leaf first, then what the client sends with it.
      commands.push({
        title: `${name}'s chain, checked against what ${client.calls} trusts`,
        command: `openssl verify -CAfile ${file(service.trust)} -untrusted ${file(client.cert)} ${file(client.cert)}`,
      });
    }
  }

  for (const [name, service] of Object.entries(description.services)) {
    if (service.mode === 'disable') continue;
    // -showcerts prints each certificate the server sent; pkcs7 -print_certs lists their names.
    commands.push({
      title: `the chain ${name} sends, certificate by certificate`,
      command:
        `openssl s_client -connect ${service.address}:${service.port} -servername ${shellWord(service.host)} -showcerts </dev/null` +
        ' | openssl crl2pkcs7 -nocrl -certfile /dev/stdin | openssl pkcs7 -print_certs -noout',
    });
  }
  return commands;
}

/**
 * One HTTP/1.0 request on stdin and -ign_eof: s_client stays until the server closes, so a
 * TLS 1.3 server's verdict on the client certificate (an alert after the client's Finished,
 * RFC 8446 §4.4.2) is read and printed rather than lost when stdin ends.
 */
function sClient(service: ServiceDescription, client: ClientDescription, file: (path: string) => string): string {
  const host = shellWord(service.host);
  const path = new URL(client.url).pathname;
  const request = `printf 'GET ${path.replace(/['%\\]/g, '')} HTTP/1.0\\r\\nHost: ${service.host}\\r\\n\\r\\n'`;
  const args = ['-brief', '-ign_eof', '-connect', `${service.address}:${service.port}`, '-servername', host, '-verify_hostname', host];
  if (client.trust) args.push('-CAfile', file(client.trust));
  if (client.cert && client.key) args.push('-cert', file(client.cert), '-key', file(client.key));
  // s_client -cert reads only the file's first certificate; the intermediates go with -cert_chain.
  if (client.chain) args.push('-cert_chain', file(client.chain));
  return `${request} | openssl s_client ${args.join(' ')}`;
}

function curl(service: ServiceDescription, client: ClientDescription, file: (path: string) => string): string {
  const args = ['-v', '--resolve', shellWord(service.resolve)];
  if (client.trust) args.push('--cacert', file(client.trust));
  // curl --cert sends every certificate in the file: the client's whole identity.
  if (client.cert && client.key) args.push('--cert', file(client.cert), '--key', file(client.key));
  return `curl ${args.join(' ')} ${shellWord(client.url)}`;
}

/** A word the shell takes as it is: bare when it holds nothing special, else single-quoted. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_.,:/@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
