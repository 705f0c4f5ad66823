/**
 * A copilot process in a container: starts it, logs where it listens as one JSON line, and closes it on SIGTERM
 * or SIGINT (ECS stops a task with SIGTERM), exiting 1 if closing fails.
 */
export async function serveUntilSignalled(
  start: () => Promise<{ service: { url: string }; close(): Promise<void> }>,
): Promise<void> {
  const copilot = await start();
  process.stdout.write(
    `${JSON.stringify({ level: 'INFO', message: 'copilot listening', url: copilot.service.url })}\n`,
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      copilot.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(
            `${JSON.stringify({ level: 'ERROR', message: 'shutdown failed', error: String(error) })}\n`,
          );
          process.exit(1);
        },
      );
    });
  }
}
