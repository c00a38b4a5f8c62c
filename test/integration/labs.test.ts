/**
 * Every lab, broken for real: `mtls-lab up` starts it, and the real `openssl s_client` and
 * `curl` — with the client material `up` describes — print the real failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upLab, type RunningLab } from '../helpers/cli.js';
import { curl, opensslClient, opensslVerify, runPeer } from '../helpers/peers.js';

/** Starts `lab` for the tests of one describe block and stops it afterwards. */
function withLab(lab: string, args: string[] = []): () => RunningLab {
  let running: RunningLab | undefined;
  beforeAll(async () => {
    running = await upLab(lab, args);
  });
  afterAll(async () => {
    expect(await running?.stop()).toBe(0);
  });
  return () => running!;
}

describe('baseline: one-way and mutual TLS, healthy', () => {
  const lab = withLab('baseline');

  it('lets openssl s_client complete mutual TLS with the payments certificate and verify auth', async () => {
    const { services, clients } = lab().description;
    const { code, output } = await opensslClient(services.auth!, clients.payments);
    expect(output).toContain('Verify return code: 0 (ok)');
    expect(output).toContain('spiffe://corp.test/ns/pay/sa/payments');
    expect(code).toBe(0);
  });

  it('lets curl call auth with a client certificate and www without one', async () => {
    const { services, clients } = lab().description;
    const mutual = await curl(services.auth!, clients.payments);
    expect(mutual.code).toBe(0);
    expect(mutual.output).toContain('spiffe://corp.test/ns/pay/sa/payments');
    const oneWay = await curl(services.www!, clients.browser);
    expect(oneWay.code).toBe(0);
    expect(oneWay.output).toContain('no client certificate');
  });

  it('answers a caller without a certificate with the TLS 1.3 alert certificate_required', async () => {
    const { services, clients } = lab().description;
    const { code, output } = await curl(services.auth!, { trust: clients.payments!.trust });
    expect(code).toBe(56);
    expect(output).toContain('alert certificate required');
  });
});

describe('expired-client-cert: the certificate that expired at 3 AM', () => {
  const lab = withLab('expired-client-cert');

  it('makes auth refuse payments with alert 45 certificate_expired, as openssl s_client prints it', async () => {
    const { services, clients } = lab().description;
    const { output } = await opensslClient(services.auth!, clients.payments);
    expect(output).toMatch(/alert certificate expired/);
    expect(output).toContain('SSL alert number 45');
  });

  it('makes curl fail on its first read with the same alert', async () => {
    const { services, clients } = lab().description;
    const { code, output } = await curl(services.auth!, clients.payments);
    expect(code).toBe(56);
    expect(output).toContain('alert certificate expired');
  });

  it('shows the expiry itself to openssl verify', async () => {
    const { clients, cas } = lab().description;
    const { output } = await opensslVerify(cas['corp-root']!, clients.payments!.cert!);
    expect(output).toContain('certificate has expired');
  });
});

describe('expired-client-cert with the fix applied', () => {
  const lab = withLab('expired-client-cert', ['--fix']);

  it('lets payments call auth again', async () => {
    const { services, clients } = lab().description;
    const { code, output } = await curl(services.auth!, clients.payments);
    expect(code).toBe(0);
    expect(output).toContain('spiffe://corp.test/ns/pay/sa/payments');
  });
});

describe('missing-intermediate: the chain that stops at the leaf', () => {
  const lab = withLab('missing-intermediate');

  it('makes openssl s_client report verify error 21', async () => {
    const { services, clients } = lab().description;
    const { output } = await opensslClient(services.orders!, clients.checkout);
    expect(output).toContain('Verify return code: 21 (unable to verify the first certificate)');
    expect(output.match(/^ *\d+ s:/gm)).toHaveLength(1);
  });

  it('makes curl refuse the server certificate with exit code 60', async () => {
    const { services, clients } = lab().description;
    const { code, output } = await curl(services.orders!, clients.checkout);
    expect(code).toBe(60);
    // curl words it as OpenSSL's error 20, not 21: the leaf's issuer is nowhere in its store.
    expect(output).toContain('SSL certificate problem: unable to get local issuer certificate');
  });
});

describe('wrong-ca: the trust bundle that shipped too early', () => {
  const lab = withLab('wrong-ca');

  it('makes ledger refuse billing with alert 48 unknown_ca', async () => {
    const { services, clients } = lab().description;
    const { output } = await opensslClient(services.ledger!, clients.billing);
    expect(output).toMatch(/alert unknown ca/);
    expect(output).toContain('SSL alert number 48');
  });

  it('makes curl fail with the same alert', async () => {
    const { services, clients } = lab().description;
    const { code, output } = await curl(services.ledger!, clients.billing);
    expect(code).toBe(56);
    expect(output).toContain('alert unknown ca');
  });
});

describe('permissive-mode: mTLS for everyone except those who skip it', () => {
  const permissive = withLab('permissive-mode');
  const strict = withLab('permissive-mode', ['--fix']);

  it('serves plain HTTP with no certificate on the mTLS port', async () => {
    const { code, output } = await curl(permissive().description.services.records!, undefined, 'http');
    expect(code).toBe(0);
    expect(output).toContain('no client certificate');
  });

  it('still speaks mTLS on the same port', async () => {
    const { services, clients } = permissive().description;
    const { code, output } = await curl(services.records!, clients.crm);
    expect(code).toBe(0);
    expect(output).toContain('spiffe://mesh.test/ns/crm/sa/crm');
  });

  it('refuses plain HTTP once the service is strict', async () => {
    const { code, output } = await curl(strict().description.services.records!, undefined, 'http');
    expect(code).not.toBe(0);
    expect(output).not.toContain('no client certificate');
  });
});

describe('exhausted-pool: a handshake for every request', () => {
  const lab = withLab('exhausted-pool');

  it('leaves inventory itself healthy: curl with the checkout certificate gets an answer', async () => {
    const { services, clients } = lab().description;
    const { code, output } = await curl(services.inventory!, clients.checkout);
    expect(code).toBe(0);
    expect(output).toContain('spiffe://corp.test/ns/shop/sa/checkout');
  });

  it('costs a new connection a full handshake, and a reconnect with a session none', async () => {
    const { services, clients } = lab().description;
    const { output } = await opensslClient(services.inventory!, clients.checkout, ['-reconnect', '-tls1_2']);
    expect(output).toContain('New, TLSv1.2');
    expect(output).toContain('Reused, TLSv1.2');
  });
});

describe('identity-not-allowed: a clean handshake, then 403', () => {
  const lab = withLab('identity-not-allowed');

  it('lets s_client complete the handshake (verify 0) and then reads 403 Forbidden from ledger', async () => {
    const { services, clients } = lab().description;
    const { output } = await opensslClient(services.ledger!, clients.billing, ['-verify_return_error']);
    expect(output).toContain('Verify return code: 0 (ok)');
    expect(output).toContain('HTTP/1.1 403 Forbidden');
    expect(output).toContain("spiffe://corp.test/ns/fin/sa/billing-api is not on ledger's allow list");
  });

  it('gives curl the 403 body (exit 0), and exit 22 with --fail', async () => {
    const { services, clients } = lab().description;
    const plain = await curl(services.ledger!, clients.billing);
    expect(plain).toEqual({ code: 0, output: "forbidden: spiffe://corp.test/ns/fin/sa/billing-api is not on ledger's allow list (spiffe://corp.test/ns/fin/sa/billing)\n" });
    const failing = await curl(services.ledger!, clients.billing, 'https', ['--fail']);
    expect(failing.code).toBe(22);
    expect(failing.output).toContain('The requested URL returned error: 403');
  });
});

describe('ca-rotation-wrong-order: one caller without the new root', () => {
  const lab = withLab('ca-rotation-wrong-order');

  it("fails s_client with reports' bundle (verify error 20) and verifies ledger with billing's", async () => {
    const { services, clients } = lab().description;
    const reports = await opensslClient(services.ledger!, clients.reports, ['-verify_return_error']);
    expect(reports.output).toContain('verify error:num=20:unable to get local issuer certificate');
    expect(reports.output).toContain('Corp Root CA 2026');
    const billing = await opensslClient(services.ledger!, clients.billing, ['-verify_return_error']);
    expect(billing.output).toContain('Verify return code: 0 (ok)');
    expect(billing.output).toContain('hello from ledger');
  });

  it("verifies ledger's chain with both roots, and not with the old one alone", async () => {
    const { services, clients, cas } = lab().description;
    expect((await opensslVerify(cas['corp-root-2026']!, services.ledger!.cert)).output).toContain(': OK');
    expect((await opensslVerify(clients.reports!.trust!, services.ledger!.cert)).output).toContain('unable to get local issuer certificate');
  });
});

describe("over-broad-trust: another tenant's certificate passes", () => {
  const lab = withLab('over-broad-trust');
  const fixed = withLab('over-broad-trust', ['--fix']);

  it("serves curl with the Globex crawler's certificate, and lists both tenants' CAs to s_client", async () => {
    const { services, clients } = lab().description;
    const served = await curl(services.billing!, clients.crawler);
    expect(served).toEqual({ code: 0, output: 'hello from billing; you are CN=globex-client, URI:spiffe://globex.test/ns/app/sa/crawler\n' });
    const { output } = await opensslClient(services.billing!, clients.crawler);
    expect(output).toMatch(/Acceptable client certificate CA names\n.*CN ?= ?Acme Tenant CA\n.*CN ?= ?Globex Tenant CA/);
  });

  it('refuses the crawler once billing trusts only its own CA, and still serves invoices', async () => {
    const { services, clients } = fixed().description;
    const refused = await curl(services.billing!, clients.crawler);
    // Node's server closes on a certificate it rejects, without an alert (nodeService.ts): a FIN
    // (curl 52) or, when curl's request is still unread in its buffer, a reset (curl 56).
    expect(['curl: (52) Empty reply from server\n', 'curl: (56) Recv failure: Connection reset by peer\n']).toContain(refused.output);
    expect([52, 56]).toContain(refused.code);
    expect((await curl(services.billing!, clients.invoices)).code).toBe(0);
  });
});

describe('client-cert-not-offered: a certificate the CertificateRequest leaves no scheme for', () => {
  const lab = withLab('client-cert-not-offered');

  it("makes s_client, given batch's Ed25519 certificate, send none: ledger requests ECDSA and RSA-PSS only, then alert 116", async () => {
    const { services, clients } = lab().description;
    const { output } = await opensslClient(services.ledger!, clients.batch);
    expect(output).toContain('Requested Signature Algorithms: ECDSA+SHA256:RSA-PSS+SHA256');
    expect(output).toContain('tlsv13 alert certificate required');
    expect(output).toContain('SSL alert number 116');
    const payouts = await curl(services.ledger!, clients.payouts);
    expect(payouts.code).toBe(0);
  });

  it("sends batch's certificate once the request names the stack's default schemes", async () => {
    const fixed = await upLab('client-cert-not-offered', ['--fix']);
    try {
      const { services, clients } = fixed.description;
      expect(await curl(services.ledger!, clients.batch)).toEqual({ code: 0, output: 'hello from ledger; you are CN=batch-client, URI:spiffe://corp.test/ns/fin/sa/batch\n' });
    } finally {
      expect(await fixed.stop()).toBe(0);
    }
  });
});

describe("key-mismatch: the renewal that shipped last year's key", () => {
  const lab = withLab('key-mismatch');

  it('leaves nothing listening for orders: s_client and curl are refused before any TLS', async () => {
    const { services, clients } = lab().description;
    expect(services.orders!.startError).toMatch(/^ERR_OSSL_X509_KEY_VALUES_MISMATCH: .*key values mismatch$/);
    expect(services.orders!.key).toMatch(/orders-server-previous\.key$/);
    const sClient = await opensslClient(services.orders!, clients.checkout);
    expect(sClient.output).toContain('connect:errno=111');
    expect(sClient.output).not.toContain('CONNECTED');
    const refused = await curl(services.orders!, clients.checkout);
    expect(refused.code).toBe(7);
    expect(refused.output).toContain("Couldn't connect to server");
  });

  it('runs pricing, renewed with its own key, as if nothing happened', async () => {
    const { services, clients } = lab().description;
    expect(services.pricing!.startError).toBeUndefined();
    expect((await opensslClient(services.pricing!, clients.cart)).output).toContain('Verify return code: 0 (ok)');
  });

  it('shows the two files are not a pair: their public keys differ', async () => {
    const { services } = lab().description;
    const leafKey = await runPeer('openssl', ['x509', '-in', services.orders!.cert, '-noout', '-pubkey']);
    const deployedKey = await runPeer('openssl', ['pkey', '-in', services.orders!.key, '-pubout']);
    expect(leafKey.output).toContain('BEGIN PUBLIC KEY');
    expect(deployedKey.output).toContain('BEGIN PUBLIC KEY');
    expect(deployedKey.output).not.toBe(leafKey.output);
  });

  it('starts orders once the matching key is deployed, and its public key is the certificate\'s', async () => {
    const fixed = await upLab('key-mismatch', ['--fix']);
    try {
      const { services, clients } = fixed.description;
      expect(services.orders!.startError).toBeUndefined();
      expect(await curl(services.orders!, clients.checkout)).toEqual({ code: 0, output: 'hello from orders; you are CN=checkout-client, URI:spiffe://corp.test/ns/shop/sa/checkout\n' });
      const leafKey = await runPeer('openssl', ['x509', '-in', services.orders!.cert, '-noout', '-pubkey']);
      expect((await runPeer('openssl', ['pkey', '-in', services.orders!.key, '-pubout'])).output).toBe(leafKey.output);
    } finally {
      expect(await fixed.stop()).toBe(0);
    }
  });
});

/** `openssl x509` on a file (`-in`) or a PEM on stdin: `notAfter=…`, `serial=…` and whether it has expired, as a learner types it. */
const datesAndSerial = async (input: { file: string } | { pem: string }) =>
  (await runPeer('openssl', ['x509', ...('file' in input ? ['-in', input.file] : []), '-noout', '-enddate', '-serial', '-checkend', '0'], 'pem' in input ? input.pem : '')).output;
/** The leaf a service sent to s_client (-showcerts), as PEM. */
const servedLeaf = (output: string): string => /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/.exec(output)![0];

describe('renewed-not-reloaded: the file is renewed, the process is not', () => {
  const lab = withLab('renewed-not-reloaded');

  it('serves an expired certificate (verify error 10) while the file it names is valid, with another serial', async () => {
    const { services, clients } = lab().description;
    const { output } = await opensslClient(services.payments!, clients.checkout, ['-showcerts']);
    expect(output).toContain('verify error:num=10:certificate has expired');
    const served = await datesAndSerial({ pem: servedLeaf(output) });
    const onDisk = await datesAndSerial({ file: services.payments!.cert });
    expect(served).toContain('Certificate will expire');
    expect(onDisk).toContain('Certificate will not expire');
    const serial = (text: string) => /serial=(\w+)/.exec(text)![1];
    expect(serial(onDisk)).not.toBe(serial(served));
    expect((await curl(services.payments!, clients.checkout)).code).toBe(60);
  });

  it('serves the file once reloaded: the same serial on the wire and on disk', async () => {
    const fixed = await upLab('renewed-not-reloaded', ['--fix']);
    try {
      const { services, clients } = fixed.description;
      expect((await curl(services.payments!, clients.checkout)).code).toBe(0);
      const { output } = await opensslClient(services.payments!, clients.checkout, ['-showcerts']);
      expect(await datesAndSerial({ pem: servedLeaf(output) })).toBe(await datesAndSerial({ file: services.payments!.cert }));
    } finally {
      expect(await fixed.stop()).toBe(0);
    }
  });
});
