import { createHash } from 'node:crypto';
import type { Finding, FindingRef } from '../findings.ts';
import type { StoredMitigation } from '../state/copilot-store.ts';

/**
 * Request ids already handled, so a request read from both the real-time feed and the standard logs counts
 * once. Bounded: the oldest ids are forgotten first, long after both copies of a request have arrived.
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;

  constructor(private readonly capacity = 200_000) {}

  has(id: string): boolean {
    return id !== '' && this.ids.has(id);
  }

  add(id: string): void {
    if (id === '' || this.ids.has(id)) return;
    this.ids.add(id);
    this.order.push(id);
    if (this.ids.size > this.capacity) {
      this.ids.delete(this.order[this.head] as string);
      this.head += 1;
      // Compact now and then instead of shifting on every eviction.
      if (this.head > this.capacity) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
    }
  }

  get size(): number {
    return this.ids.size;
  }
}

function subjectKey(finding: Pick<Finding, 'kind' | 'subject'>): string {
  const s = finding.subject;
  return `${finding.kind}|${s.tokenId ?? ''}|${s.accountId ?? ''}|${s.ip ?? ''}|${s.country ?? ''}|${s.slo ?? ''}|${s.series ?? ''}|${s.functionName ?? ''}`;
}

/** Corroboration (families agreeing) a detection reports, 0 when it reports none. */
function corroborationOf(finding: Pick<Finding, 'evidence'>): number {
  const c = finding.evidence.corroboration;
  return typeof c === 'number' ? c : 0;
}

interface Episode {
  /** Event time of the episode's last admitted finding. */
  at: number;
  /** The strongest score and corroboration admitted in the episode. */
  score: number;
  corroboration: number;
  /** The episode's last admitted finding, as stored: the one an escalation names. */
  last: FindingRef;
  /** What the ledger held before that finding, restored when it could not be stored. */
  before?: Episode;
}

/**
 * An escalation's own id: the detection's id (stable for kind, subject and first sighting, so shared by every
 * report of the episode) and what grew, so each stored row has one id and the same escalation read again
 * after a restart gets the same one.
 */
function escalationId(finding: Finding): string {
  const grown = `${finding.detectedAt}|${finding.score}|${corroborationOf(finding)}`;
  return `${finding.id}-e${createHash('sha256').update(grown).digest('hex').slice(0, 10)}`;
}

/**
 * One finding per (kind, subject) and episode. Detectors fire once per episode, but their memory does not
 * survive a restart: records read again after one would open a second episode for the same abuser. Seeded from
 * the store, the ledger treats a detection within `episodeMs` (event time) of the last one as the same episode.
 * Within an episode a finding on more evidence is admitted as an escalation: detectors report a subject again
 * only when its evidence grows (a glimpse followed by the finding proper, an observed finding escalated past a
 * policy's bar), and the policies must see it; the same evidence read again after a restart stays a repeat.
 * An escalation is stored as a finding of its own, with its own id, naming the one it escalates.
 */
export class FindingLedger {
  private readonly last = new Map<string, Episode>();

  constructor(
    private readonly episodeMs: number,
    private readonly capacity = 100_000,
  ) {}

  seed(findings: readonly Finding[]): void {
    for (const finding of findings) this.remember(subjectKey(finding), episodeOf(finding), true);
  }

  /**
   * The finding to store, and records it: as given when it opens an episode, renamed and naming the episode's
   * last finding when it grows the evidence; undefined for a repeat.
   */
  admit(finding: Finding): Finding | undefined {
    const key = subjectKey(finding);
    const previous = this.last.get(key);
    const within = previous !== undefined && Math.abs(episodeOf(finding).at - previous.at) < this.episodeMs;
    if (within && finding.score <= previous.score && corroborationOf(finding) <= previous.corroboration) {
      return undefined;
    }
    const admitted: Finding = within
      ? { ...finding, id: escalationId(finding), escalates: previous.last }
      : finding;
    this.remember(key, episodeOf(admitted), false);
    return admitted;
  }

  /** Undoes `admit` for a finding that could not be stored, so its retry is not mistaken for a repeat. */
  forget(finding: Finding): void {
    const key = subjectKey(finding);
    const episode = this.last.get(key);
    if (episode?.last.id !== finding.id) return;
    if (episode.before) this.last.set(key, episode.before);
    else this.last.delete(key);
  }

  private remember(key: string, episode: Episode, seeding: boolean): void {
    const previous = this.last.get(key);
    // The store lists newest first: of two seeded at one time, the first is the later.
    if (previous !== undefined && (previous.at > episode.at || (seeding && previous.at === episode.at))) {
      // Read out of order (a seed, a late batch): keep the later finding, and the strongest evidence seen.
      previous.score = Math.max(previous.score, episode.score);
      previous.corroboration = Math.max(previous.corroboration, episode.corroboration);
      return;
    }
    this.last.delete(key);
    // A later finding in the same episode keeps the episode's strongest evidence.
    const same = previous !== undefined && episode.at - previous.at < this.episodeMs;
    this.last.set(key, {
      at: episode.at,
      score: same ? Math.max(previous.score, episode.score) : episode.score,
      corroboration: same ? Math.max(previous.corroboration, episode.corroboration) : episode.corroboration,
      last: episode.last,
      // One step back is all a retry needs: the finding before is stored already.
      ...(previous && !seeding ? { before: { ...previous, before: undefined } } : {}),
    });
    if (this.last.size > this.capacity) this.last.delete(this.last.keys().next().value as string);
  }
}

function episodeOf(finding: Finding): Episode {
  return {
    at: Date.parse(finding.detectedAt),
    score: finding.score,
    corroboration: corroborationOf(finding),
    last: { id: finding.id, detectedAt: finding.detectedAt },
  };
}

/** The most specific subject a mitigation or detection names: a token, else an account, else an address. */
function targetKey(subject: { tokenId?: string; accountId?: string; ip?: string }): string | undefined {
  if (subject.tokenId) return `token:${subject.tokenId}`;
  if (subject.accountId) return `account:${subject.accountId}`;
  if (subject.ip) return `ip:${subject.ip}`;
  return undefined;
}

/**
 * Subjects under an active mitigation, seeded from the store: the planner's own memory of what is active is
 * lost on restart, and acting twice on one abuser is the duplicate this prevents.
 */
export class ActiveTargets {
  private readonly keys = new Map<string, number>();

  seed(mitigations: readonly StoredMitigation[]): void {
    for (const m of mitigations) if (m.status === 'active') this.add(m);
  }

  add(m: Pick<StoredMitigation, 'target'>): void {
    const key = targetKey(m.target);
    if (key) this.keys.set(key, (this.keys.get(key) ?? 0) + 1);
  }

  remove(m: Pick<StoredMitigation, 'target'>): void {
    const key = targetKey(m.target);
    if (!key) return;
    const count = (this.keys.get(key) ?? 0) - 1;
    if (count > 0) this.keys.set(key, count);
    else this.keys.delete(key);
  }

  covers(subject: { tokenId?: string; accountId?: string; ip?: string }): boolean {
    const key = targetKey(subject);
    return key !== undefined && this.keys.has(key);
  }
}
