import { describe, expect, it } from 'vitest';
import { labVariables } from './shellEnvironment.js';
import { sandboxDescription as description } from './testing.js';

describe('labVariables', () => {
  it('names each service\'s address and each client\'s files, relative to the sandbox directory', () => {
    expect(labVariables(description())).toEqual({
      AUTH_URL: 'https://auth.corp.test:40001/',
      AUTH_CONNECT: '127.10.20.30:40001',
      AUTH_HOST: 'auth.corp.test',
      AUTH_RESOLVE: 'auth.corp.test:40001:127.10.20.30',
      LEGACY_URL: 'http://legacy.corp.test:40002/',
      LEGACY_CONNECT: '127.10.20.30:40002',
      LEGACY_HOST: 'legacy.corp.test',
      LEGACY_RESOLVE: 'legacy.corp.test:40002:127.10.20.30',
      PAYMENTS_CERT: 'payments-client.chain.pem',
      PAYMENTS_KEY: 'payments-client.key',
      PAYMENTS_CHAIN: 'client-payments.intermediates.pem',
      PAYMENTS_TRUST: 'trust-corp-root.pem',
    });
  });
});
