import type { LogRecord } from '../telemetry/types.ts';
import { withoutDeniedTrouble } from '../telemetry/log-message.ts';

/**
 * The words operations data uses for common concepts, across vendors and teams: how a metric about CPU, memory,
 * throttling or a cache tends to be called, how throttling, timeouts, memory exhaustion or a bad signature show
 * up in an exception or a log line. The diagnostician names a fault kind from these concepts; it never knows a
 * particular component, metric or log group. Extend the lists here, not the rules.
 */
export type MetricConcept =
  | 'host'
  | 'client_latency'
  | 'cpu'
  | 'memory'
  | 'throttle'
  | 'cold_start'
  | 'cache_hit'
  | 'errors'
  | 'latency'
  | 'bytes_out'
  | 'requests'
  | 'concurrency'
  | 'cost'
  | 'other';

const METRIC_CONCEPTS: [MetricConcept, RegExp][] = [
  // The machine or cluster a component runs on, shared with its neighbours: not the component's own state.
  ['host', /^(node|host|cluster|machine|instance)[A-Z_.-]/],
  // Time spent waiting on others (outbound calls): a symptom of callees, not of the component itself.
  ['client_latency', /(client|outbound|upstream|downstream).*(latenc|duration|time)/i],
  ['cache_hit', /cache.?hit|hit.?(rate|ratio)/i],
  ['throttle', /throttl/i],
  ['cold_start', /cold.?start|init.?duration/i],
  ['cpu', /cpu|processor/i],
  ['memory', /mem|heap|rss|oom/i],
  ['errors', /error|fault|fail|5xx|exception/i],
  // Bytes leaving for viewers (billed as transfer out), not traffic between one's own services.
  ['bytes_out', /bytes.?(out|down|sent)|egress|transfer.?out/i],
  ['latency', /latenc|duration|response.?time|time.?taken|elapsed|p9\d\b|p50\b/i],
  ['concurrency', /concurren/i],
  ['cost', /cost|spend|charge|billing/i],
  ['requests', /request|invocation|workload|throughput|\bhits?\b|rps|qps|calls?\b|count$/i],
];

export function metricConcept(name: string): MetricConcept {
  for (const [concept, re] of METRIC_CONCEPTS) if (re.test(name)) return concept;
  return 'other';
}

/** Which way is bad for a concept: a cache-hit rate falling, everything else rising. */
export function badDirection(concept: MetricConcept): 1 | -1 {
  return concept === 'cache_hit' ? -1 : 1;
}

/** Exception types and messages, by what they say about a fault. */
export const THROTTLING =
  /throttl|too.?many.?requests|provisioned.?throughput.?exceeded|request.?limit.?exceeded|rate.?exceeded|slow.?down|rate.?limit|\b429\b/i;
const MEMORY_EXHAUSTION =
  /out.?of.?memory|heap out of memory|memory.?error|\boom\b|memory.?limit|cannot allocate memory|Runtime exited with error: signal: killed/i;
const TIMEOUT = /timed? ?out|timeout|deadline.?exceeded/i;
export const SIGNATURE_FAILURE =
  /signature|invalid.?(key|kid|token)|unknown.?(key|kid)|key.?(id|mismatch|not.?found)|bad.?token|token.?(invalid|rejected)|\bkid\b/i;
export const ORIGIN = /origin/i;
/** Words a line uses when a request was turned away on purpose (a token, an address, a rate limit). */
export const REFUSAL = /refus|denied|forbidden|blocked|rejected|not.?allowed|unauthori[sz]ed|rate.?limited/i;

/** Log fields that carry a request's result detail (CloudFront's `x-edge-detailed-result-type`, ...). */
const RESULT_FIELDS = [
  'x-edge-detailed-result-type',
  'x-edge-result-type',
  'result',
  'reason',
  'errorCode',
  'error_code',
  'code',
];

/** Fields that name the client a request came from (CloudFront's `c-ip`, load balancers', web servers'). */
export const CLIENT_ADDRESS =
  /"(c-ip|client[_-]?ip|remote[_-]?addr(?:ess)?|source[_-]?ip|sourceIPAddress|ip)"\s*:\s*"([^"]{1,64})"/i;

/**
 * A line's message and what its error or exception says apart from it (`error.message`, ...): where a line says
 * what failed (a callee's name, a timeout, throttling) when its message only says that something did.
 */
export function wordsOf(record: LogRecord): string {
  return record.errorMessage ? `${record.text} ${record.errorMessage}` : record.text;
}

/** The share of a signal's lines that must use a fault kind's words for the signal to name that kind. */
const NAMES_A_FAULT = 0.3;

/** Whether the share of `key`'s words among the lines behind a signal (`throttleWords`, ...) names that fault kind. */
export function saysFault(facts: Record<string, number | string>, key: string): boolean {
  return Number(facts[key] ?? 0) >= NAMES_A_FAULT;
}

/** Whether a third or more of the lines behind a signal name a kind of fault (throttling, a timeout, memory, a signature). */
export function namesFault(facts: Record<string, number | string>): boolean {
  return ['throttleWords', 'timeoutWords', 'memoryWords', 'signatureWords'].some((key) =>
    saysFault(facts, key),
  );
}

/** What the matching lines say in words the classifier reads (throttling, timeouts, memory, signatures). */
export function vocabularyFacts(records: LogRecord[]): Record<string, number | string> {
  const facts: Record<string, number | string> = {};
  // Each line's words, with the trouble it says did not happen blanked, once for the four kinds below.
  const words = records.map((r) => withoutDeniedTrouble(wordsOf(r)));
  const count = (re: RegExp) =>
    records.filter((r, i) => re.test(words[i]!) || re.test(r.errorType ?? '')).length;
  const n = Math.max(1, records.length);
  facts.throttleWords = count(THROTTLING) / n;
  facts.timeoutWords = count(TIMEOUT) / n;
  facts.memoryWords = count(MEMORY_EXHAUSTION) / n;
  facts.signatureWords = count(SIGNATURE_FAILURE) / n;
  const types = new Map<string, number>();
  for (const r of records) if (r.errorType) types.set(r.errorType, (types.get(r.errorType) ?? 0) + 1);
  const top = [...types].sort((a, b) => b[1] - a[1])[0];
  if (top) facts.errorType = top[0];
  // The result detail access logs give (CloudFront's x-edge-detailed-result-type, an error code field).
  const results = new Map<string, number>();
  for (const r of records) {
    for (const pair of r.labels?.split(' ') ?? []) {
      const [key = '', value = ''] = pair.split('=');
      if (RESULT_FIELDS.includes(key)) results.set(value, (results.get(value) ?? 0) + 1);
    }
  }
  const result = [...results].sort((a, b) => b[1] - a[1])[0];
  if (result) facts.result = result[0];
  return facts;
}
