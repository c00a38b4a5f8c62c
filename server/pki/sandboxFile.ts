/**
 * Reading a file of a sandbox directory, which the learner's jailed shell may rewrite: a
 * regular file only — never through a link (it could name any file the server may read) and
 * never a FIFO or a device (a read that blocks, or never ends).
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** What the certificate inspector reads of one file: far more than any chain or bundle. */
export const maxPemFileBytes = 1024 * 1024;

export async function openSandboxFile(path: string): Promise<FileHandle> {
  // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer.
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  if (!(await file.stat()).isFile()) {
    await file.close();
    throw new Error(`${path} is not a regular file`);
  }
  return file;
}

export async function readSandboxFile(path: string, maxBytes: number): Promise<string> {
  const file = await openSandboxFile(path);
  try {
    const { size } = await file.stat();
    if (size > maxBytes) throw new RangeError(`${path} holds ${size} bytes, more than the ${maxBytes} read of a sandbox file`);
    return await file.readFile('utf8');
  } finally {
    await file.close();
  }
}
