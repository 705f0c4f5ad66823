import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * In Lambda whatever a function prints goes to its log group. Locally every function shares one process, so
 * output is attributed by async context: writes to stdout/stderr made while an invocation (or its init) runs
 * go to that function's log group; all other writes reach the terminal unchanged. This needs no cooperation
 * from the function code: the Powertools logger and metrics print as they would in AWS.
 */
export interface OutputScope {
  /** Receives each printed line, without its newline. */
  writeLine(line: string): void;
}

const scopes = new AsyncLocalStorage<OutputScope>();
let installs = 0;
let restore: (() => void) | undefined;

export function runWithOutputScope<T>(scope: OutputScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/** The scope of the invocation running in the current async context, if any. */
export function currentOutputScope(): OutputScope | undefined {
  return scopes.getStore();
}

/**
 * A Powertools log sink for a function: each printed text becomes a line of the invocation that printed it (its
 * log stream, as in Lambda); text printed outside any invocation goes to `outside`.
 */
export function invocationLogSink(outside: (line: string) => void): { write(text: string): void } {
  return {
    write: (text: string) => {
      const line = text.replace(/\n+$/, '');
      const scope = currentOutputScope();
      if (scope) scope.writeLine(line);
      else outside(line);
    },
  };
}

/** Starts routing scoped output; returns the undo. Nested installs share one patch. */
export function captureFunctionOutput(): () => void {
  installs += 1;
  if (installs === 1) restore = patchStreams();
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    installs -= 1;
    if (installs === 0) {
      restore?.();
      restore = undefined;
    }
  };
}

type Write = typeof process.stdout.write;

function patchStreams(): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, index) => {
    const original = originals[index] as Write;
    stream.write = ((chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
      const scope = scopes.getStore();
      if (!scope)
        return original.call(
          stream,
          chunk as string,
          encodingOrCallback as BufferEncoding,
          callback as never,
        );
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      for (const line of text.split('\n')) if (line !== '') scope.writeLine(line);
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    }) as Write;
  });
  return () => {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as Write;
    });
  };
}
