/**
 * A certificate as the real OpenSSL prints it: `openssl x509 -noout -text`, the command a
 * learner types in the lab's terminal, so the inspector and the terminal agree word for word.
 *
 *   PEM block ──stdin──▶ openssl x509 -noout -text ──stdout──▶ text
 */
import { execFile } from 'node:child_process';

/** openssl reads one certificate in a few milliseconds; more means something is stuck. */
const timeoutMs = 10_000;

/** Resolves with the text; a missing or failing openssl rejects with a message that says what to do. */
export function opensslText(pem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', ['x509', '-noout', '-text'], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new Error(
          missing
            ? 'openssl was not found on PATH; install it (apt-get install openssl) to see certificates as OpenSSL prints them'
            : `openssl x509 -noout -text failed: ${stderr.trim() || error.message}`,
          { cause: error },
        ),
      );
    });
    child.stdin?.end(pem);
  });
}
