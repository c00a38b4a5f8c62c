import { describe, expect, it } from 'vitest';
import { sandboxDescription as description } from './testing.js';
import { shellWord, triageCommands } from './triageCommands.js';

describe('triageCommands', () => {
  it('reproduces an mTLS client with openssl s_client: its trust, its certificate and key, its intermediates, the request on stdin', () => {
    const command = triageCommands(description()).find((c) => c.title === 'payments → auth: the handshake as openssl s_client sees it')?.command;
    expect(command).toBe(
      "printf 'GET /pay HTTP/1.0\\r\\nHost: auth.corp.test\\r\\n\\r\\n' | openssl s_client -brief -ign_eof -connect 127.10.20.30:40001" +
        ' -servername auth.corp.test -verify_hostname auth.corp.test -CAfile trust-corp-root.pem' +
        ' -cert payments-client.chain.pem -key payments-client.key -cert_chain client-payments.intermediates.pem',
    );
  });

  it('reproduces the same client with curl, resolving the lab\'s name to the sandbox address', () => {
    const command = triageCommands(description()).find((c) => c.title === 'payments → auth: one request with curl, verbose')?.command;
    expect(command).toBe(
      'curl -v --resolve auth.corp.test:40001:127.10.20.30 --cacert trust-corp-root.pem --cert payments-client.chain.pem --key payments-client.key https://auth.corp.test:40001/pay',
    );
  });

  it('reads the client certificate and verifies it against the trust of the service it calls', () => {
    const commands = triageCommands(description()).map((c) => c.command);
    expect(commands).toContain('openssl x509 -in payments-client.chain.pem -noout -subject -issuer -dates -ext subjectAltName,extendedKeyUsage');
    expect(commands).toContain('openssl verify -CAfile trust-corp-root.pem -untrusted payments-client.chain.pem payments-client.chain.pem');
  });

  it('gives a plaintext caller curl over http only, and a service without TLS no chain command', () => {
    const commands = triageCommands(description());
    expect(commands.filter((c) => c.title.startsWith('cron → legacy')).map((c) => c.command)).toEqual([
      'curl -v --resolve legacy.corp.test:40002:127.10.20.30 http://legacy.corp.test:40002/',
    ]);
    expect(commands.filter((c) => c.title.startsWith('the chain ')).map((c) => c.title)).toEqual(['the chain auth sends, certificate by certificate']);
  });

  it('quotes a path the shell would split', () => {
    const spaced = { ...description(), dir: '/tmp/my labs' };
    spaced.clients.payments!.cert = '/elsewhere/it\'s here.pem';
    const command = triageCommands(spaced).find((c) => c.command.startsWith('openssl x509'))?.command;
    expect(command).toContain("-in '/elsewhere/it'\\''s here.pem'");
    expect(shellWord('auth.corp.test:40001:127.0.0.1')).toBe('auth.corp.test:40001:127.0.0.1');
  });
});
