import { join } from 'node:path';
import { ChangeSetError, JsonFileDocument, type ManagedDocument } from '@boundless/copilot/changes';
import { TelemetryMetricReader } from '@boundless/copilot/report';
import { API_ACCESS_LOG_GROUP, type LocalDelivery, type LocalTunables } from '@boundless/local';
import { threadedTunablesPlanner } from '@boundless/infra/plan-thread';
import { loadTunables, parseTunables } from '@boundless/infra/tunables';
import { CliError, readFailure } from '../errors.ts';

/**
 * The change-set flow of `boundless start`: the runtime's tunables live in `<data dir>/tunables.json` (a copy of
 * infra/tunables.json on first start), a change set's diff is the template diff infra synthesizes, and applying it
 * reconfigures the running runtime. The synthesis (aws-cdk-lib, seconds of CPU) runs on a thread of its own,
 * started on the first proposal, so the running stack keeps serving while a change is planned.
 */
export function localTunablesRepository(dataDir: string): JsonFileDocument {
  return new JsonFileDocument(join(dataDir, 'tunables.json'), () => loadTunables());
}

/**
 * The data dir's tunables file could not be used: the file and why, kept apart so a message names the file once.
 * A usage error (exit 2): the file is the user's to fix or delete.
 */
export class TunablesFileError extends CliError {
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${reason}`, 2, options);
    this.name = 'TunablesFileError';
  }
}

/** Why the document could not be read: the repository's own reason when it gives one, else the I/O error's. */
function readReason(error: unknown): string {
  if (error instanceof ChangeSetError && typeof error.details?.reason === 'string')
    return error.details.reason;
  return readFailure(error);
}

/** The tunables in force for the runtime to start with: the data dir's file, validated. */
export async function localTunables(dataDir: string): Promise<LocalTunables> {
  const repository = localTunablesRepository(dataDir);
  const file = join(dataDir, 'tunables.json');
  const { content } = await repository.read().catch((error: unknown) => {
    throw new TunablesFileError(file, readReason(error), { cause: error });
  });
  try {
    return parseTunables(content) as LocalTunables;
  } catch (error) {
    throw new TunablesFileError(file, (error as Error).message, { cause: error });
  }
}

/**
 * The copilot image the local plans synthesize with. Without one the copilot's container is an asset
 * fingerprinted from the whole repository at each synthesis, so editing any file between two plans (or a build
 * writing into the tree) showed every change as replacing the copilot's task definitions, an owner's approval.
 * A deployment names its pushed image the same way (context `copilotImage`).
 */
const LOCAL_PLAN_IMAGE = 'boundless-copilot:local';

export function localTunablesDocument(
  dataDir: string,
  delivery: Pick<LocalDelivery, 'reconfigure'>,
): ManagedDocument {
  return {
    name: 'tunables',
    repository: localTunablesRepository(dataDir),
    planner: threadedTunablesPlanner({ synth: { context: { copilotImage: LOCAL_PLAN_IMAGE } } }),
    applier: { apply: async (after) => delivery.reconfigure(after as LocalTunables) },
  };
}

/** What a change set is verified on locally: the edge's standard logs and the log groups. */
export function localMetricReader(dataDir: string, delivery: Pick<LocalDelivery, 'cacheBehaviors'>) {
  return new TelemetryMetricReader({
    edgeLogs: join(dataDir, 'cloudfront'),
    logs: join(dataDir, 'logs'),
    patterns: () => delivery.cacheBehaviors().map((b) => b.pattern),
    apiAccessLogGroup: API_ACCESS_LOG_GROUP,
  });
}
