/**
 * Process entry of the copilot image (infra/docker/copilot.Dockerfile): the copilot in AWS with its change-set
 * flow, the tunables applied through CloudFormation. Configuration comes from the environment the
 * CopilotStack sets (copilot/README.md, infra/README.md).
 */
import { serveUntilSignalled } from '@boundless/copilot/service/process-entry';
import { startDeployedCopilot } from './service-entry.ts';

await serveUntilSignalled(() => startDeployedCopilot());
