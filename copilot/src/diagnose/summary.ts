import type { RankedComponent } from './rank.ts';
import type { FaultKind } from './types.ts';

const WORDS: Record<FaultKind, string> = {
  dependency_error: 'is failing',
  dependency_latency: 'is slow',
  cpu_saturation: 'is short of CPU',
  memory_saturation: 'is short of memory',
  throttling: 'is throttling',
  bad_deploy: 'went wrong after a change',
  cold_start_storm: 'is cold-starting far more than usual',
  origin_errors: 'gets errors from its origin',
  cache_hit_collapse: 'lost its cache hits',
  signing_key_mismatch: 'rejects signatures after a key change',
  abuse_load: 'is loaded by abusive traffic',
  egress_cost_spike: 'sends far more bytes out than usual',
};

/** One sentence a person reads first: what, since when, the two strongest reasons, and the blame notes. */
export function summarise(r: RankedComponent): string {
  const since = new Date(r.onsetMs).toISOString().slice(11, 19);
  const reasons = [...new Set([...r.because, ...r.signals].sort((a, b) => b.strength - a.strength))]
    .slice(0, 3)
    .map((s) => s.detail);
  const notes = r.notes.length ? `; ${r.notes.join('; ')}` : '';
  return `${r.component} ${WORDS[r.fault]} since ${since}Z: ${reasons.join('; ')}${notes}`;
}
