import type { Context } from 'aws-lambda';
import type { Handler } from './function-versions.ts';
import { LambdaEmulatorError } from './lambda-errors.ts';

/**
 * What an injected fault does to one invocation, in the ways Lambda itself can go wrong: refuse it as throttled,
 * start it in a new environment, run it slower, fail it (an error the handler did not catch), kill it at its
 * memory limit, or run a different version.
 */
export interface InvocationFaultPlan {
  throttle?: boolean;
  coldStart?: boolean;
  delayMs?: number;
  error?: { name: string; message: string };
  /** Killed at its memory limit: the runtime exits, the environment is gone. */
  killed?: boolean;
  /** Peak memory the invocation reports, in MB. */
  maxMemoryUsedMb?: number;
  version?: string;
  /** CPU the handler burns on top of its work, in ms of real CPU (a CPU-starved function). */
  cpuBurnMs?: number;
}

const MAX_BURN_MS = 50;

/**
 * The CPU an invocation reports. The handler shares this process with everything else, so its own CPU cannot be
 * told apart: the emulator charges a nominal millisecond plus what an injected fault burns.
 */
export function chargedCpuMs(plan?: InvocationFaultPlan): number {
  return 1 + Math.min(plan?.cpuBurnMs ?? 0, MAX_BURN_MS);
}

/** The handler, with what an injected fault does around it. */
export async function handleWithFaults(
  handler: Handler,
  event: unknown,
  context: Context,
  wait: (ms: number) => Promise<void>,
  plan?: InvocationFaultPlan,
) {
  if (plan?.cpuBurnMs) burnCpu(Math.min(plan.cpuBurnMs, MAX_BURN_MS));
  if (plan?.delayMs) await wait(plan.delayMs);
  if (plan?.killed)
    throw new LambdaEmulatorError('Runtime.ExitError', 'Runtime exited with error: signal: killed');
  if (plan?.error) throw Object.assign(new Error(plan.error.message), { name: plan.error.name });
  return handler(event as never, context as never);
}

/** A busy loop: the CPU a starved function spends (bounded by the caller). */
function burnCpu(ms: number): void {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  if (x < 0) throw new RangeError('unreachable');
}
