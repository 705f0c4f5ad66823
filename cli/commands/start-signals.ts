import type { EventEmitter } from 'node:events';

/**
 * Resolves on the first Ctrl-C (SIGINT) or SIGTERM: start shuts down cleanly once everything is up. A second
 * signal stops at once, exit code 130: a start-up or a shutdown that hangs (a data dir on a file system that
 * never answers) would otherwise leave nothing but a kill -9.
 */
export function untilSignalled(
  signals: Pick<EventEmitter, 'on'> = process,
  stopAtOnce: (code: number) => void = (code) => process.exit(code),
  say: (line: string) => void = (line) => process.stderr.write(line),
): Promise<void> {
  return new Promise((done) => {
    let received = 0;
    const onSignal = () => {
      received += 1;
      if (received === 1) {
        say('boundless: stopping (a second Ctrl-C stops at once)\n');
        done();
        return;
      }
      say('boundless: stopped at once\n');
      stopAtOnce(130);
    };
    signals.on('SIGINT', onSignal);
    signals.on('SIGTERM', onSignal);
  });
}
