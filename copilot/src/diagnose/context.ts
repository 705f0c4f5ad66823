import type { Finding } from '../findings.ts';
import type { ChangeEvent } from '../tools/change-history.ts';
import type { DiagnoseRequest } from './diagnose.ts';
import type { Evidence, Signal } from './types.ts';

/**
 * Signals from what is known besides telemetry: changes (deploys, configuration, key rotations) in or shortly
 * before the window, and the copilot's abuse findings. Neither is a fault on its own; they explain symptoms.
 * An abuse finding names no component: it is attached to the component whose load rose in the window.
 */
const ABUSE = new Set(['token_sharing', 'scraping', 'geo_spike']);

function changeEvidence(change: ChangeEvent): Evidence {
  return {
    kind: 'change',
    ref: { source: change.source, id: change.id, at: change.at, ...change.ref },
    excerpt: change.summary,
  };
}

function findingEvidence(finding: Finding): Evidence {
  return {
    kind: 'finding',
    ref: { id: finding.id, kind: finding.kind, detectedAt: finding.detectedAt },
    excerpt: finding.summary,
  };
}

export function contextSignals(
  changes: readonly ChangeEvent[],
  findings: readonly Finding[],
  observed: readonly Signal[],
  request: DiagnoseRequest,
): Signal[] {
  const signals: Signal[] = [];
  const from = request.atMs - request.windowMs - 30 * 60_000;
  for (const change of changes) {
    if (change.atMs < from || change.atMs > request.atMs) continue;
    signals.push({
      component: change.component,
      kind: 'change',
      strength: 1,
      onsetMs: change.atMs,
      facts: { changeKind: change.kind, ...(change.version ? { version: change.version } : {}) },
      detail: change.summary,
      evidence: [changeEvidence(change)],
    });
  }
  for (const finding of findings) {
    const at = Date.parse(finding.detectedAt);
    const component = finding.subject.functionName;
    if (finding.kind !== 'deploy_rolled_back' || !component || at < from || at > request.atMs) continue;
    // A deploy the guard rolled back is a change like any deploy: its canary's errors are the deploy's.
    const version = finding.evidence.version;
    signals.push({
      component,
      kind: 'change',
      strength: 1,
      onsetMs: Date.parse(finding.firstSeen),
      facts: {
        changeKind: 'deploy',
        outcome: 'rolled_back',
        ...(typeof version === 'string' ? { version } : {}),
      },
      detail: finding.summary,
      evidence: [findingEvidence(finding)],
    });
  }
  const loaded = observed.filter((s) => s.kind === 'volume').sort((a, b) => b.strength - a.strength)[0];
  for (const finding of findings) {
    const at = Date.parse(finding.detectedAt);
    if (!ABUSE.has(finding.kind) || !loaded || at < request.atMs - request.windowMs || at > request.atMs)
      continue;
    signals.push({
      component: loaded.component,
      kind: 'finding',
      strength: 10 * finding.score,
      onsetMs: Date.parse(finding.firstSeen),
      facts: { findingKind: finding.kind, score: finding.score },
      detail: finding.summary,
      evidence: [findingEvidence(finding)],
    });
  }
  return signals;
}
