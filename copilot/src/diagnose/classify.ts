import type { FaultKind, Signal, SignalKind } from './types.ts';
import { ORIGIN, saysFault } from './vocabulary.ts';

/**
 * Names the kind of fault a component's signals point to. Order matters: the specific explanations (a change
 * right before the onset, throttling, memory, a key that no longer verifies) come before the generic ones
 * (erroring, slow), so that "errors after a deploy" reads as a bad deploy and "errors that say throttled"
 * as throttling.
 */
const ERROR_KINDS: ReadonlySet<SignalKind> = new Set([
  'log_errors',
  'new_error_pattern',
  'missing_pattern',
  'chronic_errors',
  'status_5xx',
  'span_faults',
  'call_errors',
  'timeouts',
]);
const LATENCY_KINDS: ReadonlySet<SignalKind> = new Set(['self_latency', 'call_latency']);

export function isSymptom(signal: Signal): boolean {
  if (ERROR_KINDS.has(signal.kind) || LATENCY_KINDS.has(signal.kind)) return true;
  if (signal.kind === 'metric_shift') return ['errors', 'latency'].includes(String(signal.facts.concept));
  return [
    'status_429',
    'status_auth',
    'span_throttles',
    'call_throttles',
    'cold_starts',
    'memory_pressure',
  ].includes(signal.kind);
}

/** Strengths compared on the log scale the ranking uses, so a count's LLR and a metric's z meet halfway. */
const strongest = (signals: Signal[], test: (s: Signal) => boolean) =>
  signals.filter(test).reduce((m, s) => Math.max(m, Math.log1p(s.strength)), 0);

const concept = (s: Signal, name: string) => s.kind === 'metric_shift' && s.facts.concept === name;

export interface Classification {
  fault: FaultKind;
  /** The signals that name the kind, for the summary. */
  because: Signal[];
}

export function classify(
  signals: Signal[],
  onsetMs: number,
  bucketMs: number,
  estateChanges: Signal[] = [],
): Classification {
  const symptoms = signals.filter(isSymptom);
  const errorStrength = strongest(signals, (s) => ERROR_KINDS.has(s.kind) || concept(s, 'errors'));
  const latencyStrength = strongest(signals, (s) => LATENCY_KINDS.has(s.kind) || concept(s, 'latency'));
  const pick = (fault: FaultKind, because: Signal[]): Classification => ({ fault, because });
  const near = (s: Signal) => s.onsetMs <= onsetMs + 2 * bucketMs && s.onsetMs >= onsetMs - 30 * 60_000;
  const changes = signals.filter((s) => s.kind === 'change' && near(s));

  // A key rotation anywhere (a key store, a secret) explains signature failures wherever tokens are checked.
  const keyChange = [...changes, ...estateChanges.filter(near)].find(
    (s) => s.facts.changeKind === 'key_rotation',
  );
  const auth = signals.filter((s) => s.kind === 'status_auth' || saysFault(s.facts, 'signatureWords'));
  if (auth.length > 0 && (keyChange || auth.some((s) => saysFault(s.facts, 'signatureWords'))))
    return pick('signing_key_mismatch', [...auth, ...(keyChange ? [keyChange] : [])]);

  const throttles = signals.filter(
    (s) =>
      s.kind === 'status_429' ||
      s.kind === 'span_throttles' ||
      s.kind === 'call_throttles' ||
      concept(s, 'throttle') ||
      (ERROR_KINDS.has(s.kind) && saysFault(s.facts, 'throttleWords')),
  );
  if (throttles.length > 0) return pick('throttling', throttles);

  const findings = signals.filter((s) => s.kind === 'finding');
  if (findings.length > 0) return pick('abuse_load', findings);
  // A surge most of which a few clients make, who made little of the traffic before: load they drive.
  const crowd = signals.filter(
    (s) =>
      s.kind === 'volume' &&
      Number(s.facts.topClientsShare) >= 0.5 &&
      Number(s.facts.topClientsShareBefore ?? 1) < 0.2,
  );
  if (crowd.length > 0) return pick('abuse_load', [...crowd, ...symptoms.slice(0, 2)]);

  const cacheHits = signals.filter((s) => concept(s, 'cache_hit'));
  // Errors at a component that fronts an origin, with its origin's own figures moving too (errors, latency, an
  // origin failure named in its records): the origin fails, the front passes it on.
  const mentionsOrigin = (s: Signal) =>
    ORIGIN.test(s.detail) ||
    ORIGIN.test(String(s.facts.metric ?? '')) ||
    ORIGIN.test(String(s.facts.result ?? ''));
  const failing = signals.some(
    (s) =>
      ['status_5xx', 'log_errors', 'span_faults', 'call_errors', 'new_error_pattern'].includes(s.kind) ||
      concept(s, 'errors'),
  );
  const originErrors = failing ? signals.filter(mentionsOrigin) : [];
  if (originErrors.length > 0) return pick('origin_errors', originErrors);
  // A collapsing hit rate is the fault even when a configuration change caused it (the change is cited).
  const cacheStrength = strongest(cacheHits, () => true);
  if (cacheHits.length > 0 && (errorStrength < cacheStrength || cacheStrength >= 2))
    return pick('cache_hit_collapse', [...cacheHits, ...changes.slice(0, 1)]);

  const deploy = changes.find((s) => s.facts.changeKind === 'deploy' || s.facts.changeKind === 'config');
  if (deploy && symptoms.length > 0) return pick('bad_deploy', [deploy, ...symptoms.slice(0, 2)]);

  const cold = signals.filter((s) => s.kind === 'cold_starts' || concept(s, 'cold_start'));
  const memory = signals.filter(
    (s) =>
      s.kind === 'memory_pressure' ||
      concept(s, 'memory') ||
      (ERROR_KINDS.has(s.kind) && saysFault(s.facts, 'memoryWords')),
  );
  const memoryStrength = strongest(memory, () => true);
  // Environments killed at their memory limit are replaced by new ones: cold starts that come with errors
  // saying memory ran out are the consequence, not the fault.
  const killedForMemory = signals.some((s) => ERROR_KINDS.has(s.kind) && saysFault(s.facts, 'memoryWords'));
  const memoryFirst = killedForMemory && memoryStrength >= strongest(cold, () => true);
  if (!memoryFirst && cold.length > 0 && strongest(cold, () => true) >= 0.5 * errorStrength)
    return pick('cold_start_storm', cold);

  if (memory.length > 0 && memoryStrength >= 0.5 * Math.max(errorStrength, latencyStrength))
    return pick('memory_saturation', memory);

  const egress = signals.filter((s) => concept(s, 'bytes_out') || concept(s, 'cost'));
  // Bytes out that moved further than any error or latency figure: a stray weak error pattern does not veto it.
  if (egress.length > 0 && strongest(egress, () => true) > Math.max(errorStrength, latencyStrength))
    return pick('egress_cost_spike', egress);

  const cpu = signals.filter((s) => concept(s, 'cpu'));
  if (cpu.length > 0 && strongest(cpu, () => true) >= 0.3 * errorStrength)
    return pick('cpu_saturation', [...cpu, ...symptoms.slice(0, 1)]);

  if (errorStrength >= latencyStrength && errorStrength > 0)
    return pick(
      'dependency_error',
      signals.filter((s) => ERROR_KINDS.has(s.kind) || concept(s, 'errors')),
    );
  if (latencyStrength > 0)
    return pick(
      'dependency_latency',
      signals.filter((s) => LATENCY_KINDS.has(s.kind) || concept(s, 'latency')),
    );
  return pick('dependency_error', signals);
}
