import { open } from 'node:fs/promises';

/**
 * Writes `data` to `path` readable and writable by its owner only (0600): a snapshot holds
 * every instance's address and metadata. A new file is created with that mode, so no other
 * user can open it while it is written; an existing one is changed to it before a byte of the
 * new content goes in.
 */
export async function writePrivateFile(path: string, data: Uint8Array): Promise<void> {
  const file = await open(path, 'w', 0o600);
  try {
    await file.chmod(0o600);
    await file.writeFile(data);
  } finally {
    await file.close();
  }
}
