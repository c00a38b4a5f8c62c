/**
 * The one error reading a capture throws: the bytes are not a capture file at all. Anything
 * wrong *inside* a capture (a truncated block, a mangled header, a gap in a stream) is a
 * warning in the result instead, because a half-readable capture is still evidence.
 */

export type CaptureErrorKind = 'not-a-capture';

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  readonly kind: CaptureErrorKind;

  constructor(kind: CaptureErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}
