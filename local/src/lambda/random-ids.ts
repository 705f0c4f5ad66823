import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for the emulator's ids (request, trace, segment and environment ids), drawn from a pool
 * refilled 4 KiB at a time: one CSPRNG call and one allocation per ~300 ids instead of one per id.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  return start;
}

export function randomHex(bytes: number): string {
  const start = take(bytes);
  return pool.toString('hex', start, start + bytes);
}

export function randomBase64(bytes: number): string {
  const start = take(bytes);
  return pool.toString('base64', start, start + bytes);
}
