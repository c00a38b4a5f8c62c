/**
 * A sandbox description for the terminal's pure tests: a mutual-TLS edge (payments → auth,
 * with intermediates) and a plaintext one (cron → legacy, a service with TLS disabled).
 */
import type { SandboxDescription } from '../runtime/index.js';

const dir = '/tmp/mtls-lab-baseline-abc123';

export function sandboxDescription(): SandboxDescription {
  return {
    id: 'baseline-x1y2z3',
    lab: 'baseline',
    dir,
    address: '127.10.20.30',
    sslKeylogFile: `${dir}/sslkeylog.txt`,
    services: {
      auth: {
        host: 'auth.corp.test',
        address: '127.10.20.30',
        port: 40001,
        url: 'https://auth.corp.test:40001/',
        resolve: 'auth.corp.test:40001:127.10.20.30',
        stack: 'node',
        mode: 'strict',
        clientAuth: 'require',
        cert: `${dir}/auth-server.chain.pem`,
        key: `${dir}/auth-server.key`,
        trust: `${dir}/trust-corp-root.pem`,
        internalPort: 50001,
        pid: 101,
      },
      legacy: {
        host: 'legacy.corp.test',
        address: '127.10.20.30',
        port: 40002,
        url: 'http://legacy.corp.test:40002/',
        resolve: 'legacy.corp.test:40002:127.10.20.30',
        stack: 'node',
        mode: 'disable',
        clientAuth: 'none',
        cert: `${dir}/legacy-server.crt`,
        key: `${dir}/legacy-server.key`,
        internalPort: 50002,
        pid: 102,
      },
    },
    clients: {
      payments: {
        calls: 'auth',
        cert: `${dir}/payments-client.chain.pem`,
        key: `${dir}/payments-client.key`,
        chain: `${dir}/client-payments.intermediates.pem`,
        trust: `${dir}/trust-corp-root.pem`,
        url: 'https://auth.corp.test:40001/pay',
        protocol: 'tls',
        pid: 103,
      },
      cron: { calls: 'legacy', url: 'http://legacy.corp.test:40002/', protocol: 'plaintext', pid: 104 },
    },
    cas: { 'corp-root': `${dir}/corp-root.crt` },
    pids: [101, 102, 103, 104],
  };
}
