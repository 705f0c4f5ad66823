import { parentPort, workerData } from 'node:worker_threads';
import { tunablesPlanner } from './change-plans.ts';
import type { PlanReply, PlanRequest, PlanThreadData } from './plan-thread.ts';

/** Inside the plan thread (see plan-thread.ts): one planner, its syntheses cached, one plan at a time. */
const port = parentPort;
if (!port) throw new Error('plan-thread-entry runs in a worker thread');
const planner = tunablesPlanner((workerData as PlanThreadData).options);
let queue: Promise<unknown> = Promise.resolve();
port.on('message', (request: PlanRequest) => {
  queue = queue.then(async () => {
    let reply: PlanReply;
    try {
      reply =
        'templatesOf' in request
          ? { id: request.id, templates: planner.templatesFor(request.templatesOf) }
          : { id: request.id, diff: await planner.diff(request.before, request.after) };
    } catch (error) {
      reply = { id: request.id, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
});
