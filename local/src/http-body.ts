import type { IncomingMessage } from 'node:http';
import { LocalError } from './errors.ts';

/** A request body over the stand-in's limit: the caller answers 413 as the real service would. */
export class BodyTooLargeError extends LocalError {}

/**
 * A request's body, refused as soon as it is known to exceed `maxBytes` (by its content-length, or while it
 * streams); the rest of an oversized body is drained so the connection can answer.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    request.resume();
    return Promise.reject(new BodyTooLargeError(`request body of ${declared} bytes is over ${maxBytes}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError(`request body is over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
