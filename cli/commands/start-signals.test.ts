import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { untilSignalled } from './start-signals.ts';

describe('start: signals', () => {
  it('shuts down cleanly on the first signal and stops at once, exit code 130, on the second', async () => {
    const signals = new EventEmitter();
    const codes: number[] = [];
    const said: string[] = [];
    let resolved = false;
    const signalled = untilSignalled(
      signals,
      (code) => codes.push(code),
      (line) => said.push(line),
    ).then(() => {
      resolved = true;
    });

    signals.emit('SIGTERM');
    await signalled;
    expect(resolved).toBe(true);
    expect(codes).toEqual([]);
    signals.emit('SIGINT');
    expect(codes).toEqual([130]);
    expect(said).toHaveLength(2);
  });
});
