/**
 * A capture file → the connections in it, the TLS key log it carries, and what could not
 * be read:
 *
 *   bytes ─captureFrames─▶ frames (pcap or pcapng; DSB secrets → keylog)
 *         ─linkLayer─▶ IP packets ─ipTcp─▶ TCP segments ─reassembly─▶ RecordedConnection[]
 *
 * Throws only CaptureError, and only when the bytes are not a capture at all (no pcap or
 * pcapng magic). Everything else — truncation, corrupt blocks, gaps, unknown link types —
 * is a warning, and whatever was readable is returned.
 */
import { CaptureError } from './captureError.js';
import { captureFormat, readClassicPcap, readPcapng, type CapturedFrame, type FrameSink } from './captureFrames.js';
import { tcpSegmentOf } from './ipTcp.js';
import { keylogLines } from './keylog.js';
import { ipPacketOf } from './linkLayer.js';
import { TcpReassembler, type ReassemblyOptions } from './reassembly.js';
import type { RecordedConnection } from './recording.js';
import { Warnings } from './warnings.js';

export interface ReadCaptureOptions extends ReassemblyOptions {
  /** Distinct warnings kept (default 100); repeats are counted, the rest summarised. */
  maxWarnings?: number;
}

export interface CaptureContents {
  /** In the order each connection began. */
  connections: RecordedConnection[];
  /** NSS key log lines from every TLS key log block, each once, in file order. */
  keylog: string[];
  warnings: string[];
}

/** Warnings that start so mean a bug here, not a bad file; tests look for them. */
export const INTERNAL_ERROR = 'internal error';

export function readCapture(bytes: Uint8Array, options: ReadCaptureOptions = {}): CaptureContents {
  const format = captureFormat(bytes);
  const warnings = new Warnings(options.maxWarnings);
  const warn = (message: string): void => warnings.add(message);
  const reassembler = new TcpReassembler(warn, options);
  const keylog = new Set<string>();

  const sink: FrameSink = {
    frame(frame: CapturedFrame) {
      try {
        const link = ipPacketOf(frame.linkType, frame.data);
        if (link.kind === 'unsupported') warn(link.warning);
        if (link.kind !== 'ip') return;
        const ip = tcpSegmentOf(link.packet);
        if (ip.kind === 'skipped') warn(ip.warning);
        if (ip.kind !== 'tcp') return;
        if (ip.warning) warn(ip.warning);
        reassembler.push(ip.segment, frame.t, frame.comment);
      } catch (error) {
        // One packet that trips a bug must not cost the learner the rest of the capture.
        warn(`${INTERNAL_ERROR} while reading a packet: ${String(error)}`);
      }
    },
    keylog(text: string) {
      for (const line of keylogLines(text)) keylog.add(line);
    },
    warn,
  };

  try {
    if (format === 'pcap') readClassicPcap(bytes, sink);
    else readPcapng(bytes, sink);
  } catch (error) {
    if (error instanceof CaptureError) throw error;
    warn(`${INTERNAL_ERROR} while reading the file: ${String(error)}`);
  }
  let connections: RecordedConnection[] = [];
  try {
    connections = reassembler.finish();
  } catch (error) {
    warn(`${INTERNAL_ERROR} while reassembling: ${String(error)}`);
  }
  return { connections, keylog: [...keylog], warnings: warnings.list() };
}
