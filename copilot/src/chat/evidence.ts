import type { Evidence, EvidenceKind, ToolResult } from './tools.ts';

/**
 * The incident's numbered evidence. Every observation a tool returns gets an id (E1, E2, ...) that stays the
 * same for the whole incident; the model cites ids, the answer keeps only ids that exist, and the dashboard
 * resolves each id to the log event, trace or metric points it came from.
 */
export interface Citation {
  id: string;
  kind: EvidenceKind;
  ref: Record<string, unknown>;
  excerpt?: string;
  /** The tool and exact query that returned it. */
  tool: string;
  query: ToolResult['query'];
  /** Withheld from the model: the text read like instructions to an assistant. */
  withheld?: boolean;
}

const CITE = /\[(E\d+(?:\s*[,;]\s*E\d+)*)\]/g;

function refKey(kind: EvidenceKind, ref: Record<string, unknown>): string {
  return `${kind}|${JSON.stringify(ref, Object.keys(ref).sort())}`;
}

export class EvidenceLedger {
  private readonly byId = new Map<string, Citation>();
  private readonly byRef = new Map<string, Citation>();
  private readonly fresh: Citation[] = [];
  private next: number;

  constructor(existing: readonly Citation[] = []) {
    for (const citation of existing) this.keep(citation);
    this.next = Math.max(0, ...existing.map((c) => Number(c.id.slice(1)) || 0)) + 1;
  }

  /** Numbers a tool result's evidence; the same observation seen again keeps its id. */
  register(result: ToolResult, withheld: ReadonlySet<Evidence> = new Set()): Citation[] {
    return (result.evidence ?? []).map((evidence) => {
      const existing = this.byRef.get(refKey(evidence.kind, evidence.ref));
      if (existing) return existing;
      const citation: Citation = {
        id: `E${this.next++}`,
        kind: evidence.kind,
        ref: evidence.ref,
        ...(evidence.excerpt === undefined ? {} : { excerpt: evidence.excerpt }),
        tool: result.query.tool,
        query: result.query,
        ...(withheld.has(evidence) ? { withheld: true } : {}),
      };
      this.keep(citation);
      this.fresh.push(citation);
      return citation;
    });
  }

  get(id: string): Citation | undefined {
    return this.byId.get(id);
  }

  all(): Citation[] {
    return [...this.byId.values()];
  }

  /** Citations numbered since this ledger was opened (this turn's, to be stored). */
  added(): Citation[] {
    return [...this.fresh];
  }

  /**
   * The ids an answer cites, in order of first use, and the ones that do not exist (a model inventing ids);
   * unknown ids are removed from the text so no claim points at nothing.
   */
  resolve(text: string): { text: string; cited: Citation[]; unknown: string[] } {
    const cited = new Map<string, Citation>();
    const unknown = new Set<string>();
    const cleaned = text.replace(CITE, (_match, list: string) => {
      const ids = list.split(/\s*[,;]\s*/);
      const known = ids.filter((id) => {
        const citation = this.byId.get(id);
        if (citation) cited.set(id, citation);
        else unknown.add(id);
        return citation !== undefined;
      });
      return known.length ? `[${known.join(', ')}]` : '';
    });
    return { text: cleaned.replace(/ +([.,;:])/g, '$1'), cited: [...cited.values()], unknown: [...unknown] };
  }

  private keep(citation: Citation): void {
    this.byId.set(citation.id, citation);
    this.byRef.set(refKey(citation.kind, citation.ref), citation);
  }
}

/** Sentences (or list items) of an answer that make a claim, and how many of them cite evidence. */
export function citationCoverage(text: string): { claims: number; cited: number } {
  const parts = text
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9])/)
    .map((part) => part.replace(/^[-*#>\d.\s]+/, '').trim())
    .filter((part) => part.length > 20 && !part.endsWith('?') && !part.endsWith(':'));
  return { claims: parts.length, cited: parts.filter((part) => /\[E\d+/.test(part)).length };
}
