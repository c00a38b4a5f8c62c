/**
 * Capture files: recorded connections out to pcapng (with the TLS key log inside) and
 * classic pcap, and any pcap/pcapng capture back in to connections.
 */
export type { Direction, Endpoint, RecordedChunk, RecordedConnection } from './recording.js';
export { CaptureError, type CaptureErrorKind } from './captureError.js';
export { writePcapng, keylogText, type WritePcapngOptions } from './writePcapng.js';
export { writePcap, type PcapFrame, type WritePcapOptions } from './writePcap.js';
export { readCapture, type CaptureContents, type ReadCaptureOptions } from './readCapture.js';
export { LinkType } from './pcapngBlocks.js';
export { exportSandboxCapture, fromTapConnections, sandboxRecording, tapEpochOffsetUs, type ExportedCapture, type TapEndpoints } from './fromTap.js';
