import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The copilot's structured logs: Powertools Logger JSON on stdout (CloudWatch Logs in AWS), one child per part
 * (`service`, `pipeline`, `sources`, ...). Errors go in as `{ error }`, and Powertools writes their name,
 * message, stack and `cause` chain. `POWERTOOLS_LOG_LEVEL` sets the level (INFO by default); `boundless start`
 * keeps WARN so the terminal shows problems, not chatter.
 */
const root = new Logger({ serviceName: 'boundless-copilot' });
// Children copy the level when made: a level set later is handed to each of them.
const children: Logger[] = [];

export function copilotLogger(component: string): Logger {
  const child = root.createChild({ persistentKeys: { component } });
  children.push(child);
  return child;
}

export function setCopilotLogLevel(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT'): void {
  root.setLogLevel(level);
  for (const child of children) child.setLogLevel(level);
}
