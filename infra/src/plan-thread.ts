import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '@boundless/common/ts-worker';
import { ChangeSetError, type DocumentPlanner, type PlanDiff } from '@boundless/copilot/changes';
import { InfraConfigError, InfraError } from './errors.ts';
import type { StackTemplates, SynthOptions } from './synth.ts';
import { parseTunables } from './tunables.ts';

/**
 * Plans (two syntheses and their CloudFormation diff) on a thread of their own. Loading aws-cdk-lib and
 * synthesizing every stack hold a thread for seconds; in the copilot's thread that would stall every request it
 * serves (and, locally, the edge and the API running beside it), so a change set's plan never runs there.
 */
export interface PlanThread {
  diff(before: unknown, after: unknown): Promise<PlanDiff>;
  /** Every stack's template for a tunables version (what a CloudFormation change set is created from). */
  templates(content: unknown): Promise<StackTemplates>;
  close(): Promise<void>;
}

export type PlanRequest =
  | { id: number; before: unknown; after: unknown }
  | { id: number; templatesOf: unknown };
export type PlanReply =
  | { id: number; diff: PlanDiff }
  | { id: number; templates: StackTemplates }
  | { id: number; error: string; problems?: string[] };
export interface PlanThreadData {
  options: { synth?: SynthOptions; keep?: number };
}

/** One worker, started on the first plan; plans queue on it in order. */
export function startPlanThread(options: { synth?: SynthOptions; keep?: number } = {}): PlanThread {
  let worker: Worker | undefined;
  let nextId = 0;
  // biome-ignore lint/suspicious/noExplicitAny: each call resolves with the reply of its own request kind
  const pending = new Map<number, { resolve(value: any): void; reject(error: Error): void }>();
  const failAll = (error: Error) => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
    worker = undefined;
  };
  const thread = () => {
    if (worker) return worker;
    const data: PlanThreadData = { options };
    const started = startTsWorker(new URL('./plan-thread-entry.ts', import.meta.url), {
      workerData: { ...data },
    });
    started.on('message', (reply: PlanReply) => {
      const call = pending.get(reply.id);
      if (!call) return;
      pending.delete(reply.id);
      if ('diff' in reply) call.resolve(reply.diff);
      else if ('templates' in reply) call.resolve(reply.templates);
      else call.reject(new InfraError(reply.error));
    });
    started.on('error', (error) => failAll(new InfraError('the plan thread failed', { cause: error })));
    started.on('exit', (code) => failAll(new InfraError(`the plan thread exited (${code})`)));
    // Idle between plans: the thread must not keep the process alive.
    started.unref();
    worker = started;
    return started;
  };
  const ask = <T>(request: PlanRequest): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      pending.set(request.id, { resolve, reject });
      thread().postMessage(request);
    });
  return {
    diff: (before, after) => ask<PlanDiff>({ id: nextId++, before, after }),
    templates: (content) => ask<StackTemplates>({ id: nextId++, templatesOf: content }),
    async close() {
      const running = worker;
      worker = undefined;
      if (running) await running.terminate();
    },
  };
}

/** The tunables' schema, as a change set's validation reports it. */
export async function validateTunables(content: unknown): Promise<void> {
  try {
    parseTunables(content);
  } catch (cause) {
    if (!(cause instanceof InfraConfigError)) throw cause;
    throw new ChangeSetError('invalid_document', cause.message, { problems: cause.problems }, { cause });
  }
}

/**
 * The tunables' planner for a running service: validation in place (a schema check), plans on the plan thread.
 * Loads nothing of aws-cdk-lib into the calling thread.
 */
export function threadedTunablesPlanner(
  options: { synth?: SynthOptions; keep?: number } = {},
): DocumentPlanner & { close(): Promise<void> } {
  const thread = startPlanThread(options);
  return {
    validate: validateTunables,
    diff: (before, after) => thread.diff(before, after),
    close: thread.close,
  };
}
