/**
 * A service whose TLS stack refused its configuration — a private key that does not match its
 * certificate — cannot start. That is a lab's failure to show, not mtls-lab's: the service
 * process reports it in its stack's words (Node's `ERR_OSSL_…` error, s_server's stderr) and
 * the sandbox runs on without it, its address refusing connections.
 */
export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }

  /** The error as a ServiceStartError when it is one the TLS stack raised over its configuration: OpenSSL's (Node's `ERR_OSSL_*`). */
  static from(err: unknown): ServiceStartError | undefined {
    if (err instanceof ServiceStartError) return err;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    return err instanceof Error && code?.startsWith('ERR_OSSL_') ? new ServiceStartError(err.message, code) : undefined;
  }
}
