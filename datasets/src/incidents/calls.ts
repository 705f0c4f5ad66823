import type { Rng } from '../sim/rng.ts';
import type { CallNode, ComponentSpec, Estate } from './estate.ts';
import type { World } from './world.ts';

/**
 * One request through the estate's call tree: each component's own time, its calls in sequence, whether it
 * failed, was throttled or cold-started, and how a failure travels up (a caller that gets an error mostly fails
 * too, naming what it called). Faults change only the component they hit; everything else follows from calls.
 */
interface Exception {
  type: string;
  message: string;
}

export interface CallResult {
  component: string;
  spec: ComponentSpec;
  startMs: number;
  endMs: number;
  selfMs: number;
  status: number;
  failed: boolean;
  throttled: boolean;
  cold: boolean;
  initMs: number;
  oom: boolean;
  exception?: Exception;
  operation?: string;
  version: string;
  instance: number;
  children: CallResult[];
}

const AWS_THROTTLE: Exception = {
  type: 'ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded',
};
const REMOTE_THROTTLE: Exception = {
  type: 'HttpClientErrorException',
  message: '429 Too Many Requests: rate limit exceeded',
};

function ownFailure(spec: ComponentSpec, deploy: boolean, rng: Rng): Exception {
  if (spec.runtime === 'managed')
    return spec.namespace === 'aws'
      ? { type: 'InternalServerError', message: 'Internal server error' }
      : rng.pick([
          { type: 'ConnectTimeoutException', message: `connect timed out to ${spec.name}` },
          { type: 'HttpServerErrorException', message: `503 Service Unavailable from ${spec.name}` },
        ]);
  if (deploy)
    return rng.pick([
      { type: 'TypeError', message: "Cannot read properties of undefined (reading 'entitlement')" },
      { type: 'NullPointerException', message: 'Cannot invoke "Config.getLimit()" because "config" is null' },
    ]);
  return rng.pick([
    { type: 'IllegalStateException', message: 'invariant violated while building the response' },
    { type: 'ValidationError', message: 'upstream record failed schema validation' },
  ]);
}

export function simulateCall(
  node: CallNode,
  t: number,
  estate: Estate,
  world: World,
  rng: Rng,
  depth = 0,
): CallResult {
  const spec = estate.components.get(node.component)!;
  const effects = world.effects(spec.name, t);
  const instance = rng.int(0, Math.max(1, spec.instances));
  const base: Omit<CallResult, 'endMs' | 'selfMs' | 'status' | 'failed' | 'children'> = {
    component: spec.name,
    spec,
    startMs: t,
    throttled: false,
    cold: false,
    initMs: 0,
    oom: false,
    version: effects.version,
    instance,
  };
  if (spec.runtime === 'managed') {
    const selfMs = rng.logNormal(spec.selfMs * effects.latencyX, spec.sigma);
    const throttled = rng.chance(effects.throttleP);
    const failed = throttled || rng.chance(effects.errorP);
    return {
      ...base,
      operation: rng.pick(spec.operations ?? ['call']),
      endMs: t + selfMs,
      selfMs,
      throttled,
      failed,
      status: throttled ? (spec.namespace === 'aws' ? 400 : 429) : failed ? 500 : 200,
      ...(failed
        ? {
            exception: throttled
              ? spec.namespace === 'aws'
                ? AWS_THROTTLE
                : REMOTE_THROTTLE
              : ownFailure(spec, false, rng),
          }
        : {}),
      children: [],
    };
  }
  // Lambda refuses beyond its concurrency before the function runs at all.
  if (spec.runtime === 'lambda' && rng.chance(effects.throttleP))
    return { ...base, endMs: t + 1, selfMs: 0, status: 429, failed: true, throttled: true, children: [] };
  const cold =
    spec.runtime === 'lambda' &&
    (world.firstOnVersion(spec.name, instance, effects.version) || rng.chance(0.015 + effects.coldP));
  const initMs = cold ? rng.logNormal(320, 0.25) : 0;
  let cursor = t + initMs + 1;
  const selfMs = rng.logNormal(spec.selfMs * effects.latencyX * (1 + 3 * effects.cpu), spec.sigma);
  const children: CallResult[] = [];
  let childFailure: CallResult | undefined;
  for (const childNode of node.children) {
    cursor += (selfMs / (node.children.length + 1)) * rng.between(0.5, 1.5);
    let child = simulateCall(childNode, cursor, estate, world, rng, depth + 1);
    children.push(child);
    cursor = child.endMs;
    if (child.throttled && spec.runtime !== 'edge') {
      // SDKs retry throttled calls with backoff before giving up.
      cursor += rng.between(20, 120);
      child = simulateCall(childNode, cursor, estate, world, rng, depth + 1);
      children.push(child);
      cursor = child.endMs;
    }
    if (child.failed && rng.chance(0.9)) {
      childFailure = child;
      break;
    }
  }
  const oom = rng.chance(effects.oomP);
  const ownFail = !childFailure && !oom && rng.chance(effects.errorP);
  const endMs = cursor + selfMs / (node.children.length + 1);
  const failed = Boolean(childFailure) || oom || ownFail;
  let exception: Exception | undefined;
  if (childFailure)
    exception = {
      type: childFailure.exception?.type ?? 'DependencyError',
      message: `call to ${childFailure.component} failed: ${childFailure.exception?.message ?? `status ${childFailure.status}`}`,
    };
  else if (oom)
    exception =
      spec.runtime === 'lambda'
        ? { type: 'Runtime.OutOfMemory', message: 'Runtime exited with error: signal: killed' }
        : { type: 'OutOfMemoryError', message: 'java.lang.OutOfMemoryError: Java heap space' };
  else if (ownFail) exception = ownFailure(spec, world.fault?.kind === 'bad_deploy', rng);
  return {
    ...base,
    cold,
    initMs,
    oom,
    endMs: oom ? endMs + rng.between(200, 2000) : endMs,
    selfMs,
    status: failed ? (childFailure?.throttled ? 503 : 500) : 200,
    failed,
    ...(exception ? { exception } : {}),
    children,
  };
}
