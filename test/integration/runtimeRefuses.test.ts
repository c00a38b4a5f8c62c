/**
 * The runtime asks the lab's stack rule again of the spec it is given: a fault applied after
 * validation can break it, and the refusal must come before anything starts.
 */
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../server/runtime/index.js';
import { healthyLab } from './runtimeHelpers.js';

describe('startSandbox', () => {
  it('refuses an openssl service a fault made permissive, naming the field', async () => {
    const spec = healthyLab({ service: { stack: 'openssl' } });
    spec.services['auth']!.mode = 'permissive';
    await expect(startSandbox(spec)).rejects.toThrow(
      new TypeError('services.auth.mode: mode "permissive" needs stack "node", but "auth" runs stack "openssl", which serves TLS only'),
    );
  });
});
