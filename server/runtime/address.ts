/**
 * A loopback address of the sandbox's own. Linux routes all of 127.0.0.0/8 to `lo`
 * (RFC 1122 §3.2.1.3: the whole block is loopback), so each sandbox can take a random
 * 127.x.y.z and its ports never collide with another sandbox's, even by mistake. Where the
 * block is not routed (macOS binds only 127.0.0.1), 127.0.0.1 and OS-chosen ports still work.
 */
import net from 'node:net';

export function randomLoopbackAddress(): string {
  // 1..254 in each byte: no network (0) or broadcast (255) look-alikes, never 127.0.0.1 itself.
  const byte = (): number => 1 + Math.floor(Math.random() * 254);
  return `127.${byte()}.${byte()}.${byte()}`;
}

/** A random 127.x.y.z that binds here, else 127.0.0.1. */
export async function pickLoopbackAddress(): Promise<string> {
  const address = randomLoopbackAddress();
  return (await canBind(address)) ? address : '127.0.0.1';
}

function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: address, port: 0 }, () => probe.close(() => resolve(true)));
  });
}
