/**
 * Process entry of the copilot in AWS (the container infra/ runs on ECS Fargate): `node --import tsx
 * copilot/src/service/aws-main.ts`. Configuration comes from the environment (copilot/README.md).
 */
import { startAwsCopilot } from './aws.ts';

const copilot = await startAwsCopilot();
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
