/**
 * Process entry of the copilot in AWS without the change-set flow: `node --import tsx
 * copilot/src/service/aws-main.ts`. The deployed image runs infra/src/copilot/service-main.ts instead, which
 * adds the tunables applied through CloudFormation. Configuration comes from the environment (copilot/README.md).
 */
import { startAwsCopilot } from './aws.ts';
import { serveUntilSignalled } from './process-entry.ts';

await serveUntilSignalled(() => startAwsCopilot());
