import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The runbooks under `runbooks/` (Markdown with Goal / Workflow / Findings / Remediation sections, listed in
 * `catalog.json`), searchable by section: a hit names the runbook, the section and the line it starts at, so
 * an answer cites exactly what it used. Ranking is BM25 over sections, with the catalog's fault kinds and
 * keywords counted as part of every section of their runbook.
 */
export const DEFAULT_RUNBOOKS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../runbooks');

const catalogSchema = z.strictObject({
  $comment: z.string().optional(),
  runbooks: z.array(
    z.strictObject({
      id: z.string().regex(/^[a-z0-9-]+$/),
      title: z.string().min(1),
      file: z.string().regex(/^[\w.-]+\.md$/),
      faults: z.array(z.string()).default([]),
      keywords: z.array(z.string()).default([]),
    }),
  ),
});

export type RunbookCatalog = z.output<typeof catalogSchema>;

export interface RunbookSection {
  runbook: string;
  title: string;
  section: string;
  file: string;
  /** 1-based line of the section heading. */
  line: number;
  text: string;
}

export interface RunbookHit extends Omit<RunbookSection, 'text'> {
  score: number;
  excerpt: string;
}

export class RunbookError extends Error {
  override name = 'RunbookError';
}

const STOP = new Set(
  'a an and are as at be by for from how in is it of on or the to what when why with'.split(' '),
);

function terms(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? [])
    .filter((t) => !STOP.has(t) && t.length > 1)
    .map((t) => (t.length > 4 && t.endsWith('s') ? t.slice(0, -1) : t));
}

export function splitSections(markdown: string): { section: string; line: number; text: string }[] {
  const lines = markdown.split('\n');
  const sections: { section: string; line: number; text: string }[] = [];
  let current: { section: string; line: number; lines: string[] } | undefined;
  lines.forEach((line, index) => {
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      if (current)
        sections.push({
          section: current.section,
          line: current.line,
          text: current.lines.join('\n').trim(),
        });
      current = { section: heading[1]!, line: index + 1, lines: [] };
    } else current?.lines.push(line);
  });
  if (current)
    sections.push({ section: current.section, line: current.line, text: current.lines.join('\n').trim() });
  return sections;
}

export class RunbookIndex {
  private readonly docs: { section: RunbookSection; tf: Map<string, number>; length: number }[] = [];
  private readonly df = new Map<string, number>();
  private readonly averageLength: number;

  constructor(
    readonly catalog: RunbookCatalog,
    sections: RunbookSection[],
  ) {
    const extra = new Map(
      catalog.runbooks.map((r) => [r.id, terms([...r.faults, ...r.keywords, r.title].join(' '))]),
    );
    for (const section of sections) {
      const words = [...terms(`${section.section} ${section.text}`), ...(extra.get(section.runbook) ?? [])];
      const tf = new Map<string, number>();
      for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
      for (const w of tf.keys()) this.df.set(w, (this.df.get(w) ?? 0) + 1);
      this.docs.push({ section, tf, length: words.length });
    }
    this.averageLength = this.docs.reduce((a, d) => a + d.length, 0) / Math.max(1, this.docs.length);
  }

  static async load(dir = DEFAULT_RUNBOOKS_DIR): Promise<RunbookIndex> {
    let catalog: RunbookCatalog;
    try {
      catalog = catalogSchema.parse(JSON.parse(await readFile(join(dir, 'catalog.json'), 'utf8')));
    } catch (cause) {
      throw new RunbookError(`cannot read the runbook catalog ${join(dir, 'catalog.json')}`, { cause });
    }
    const sections: RunbookSection[] = [];
    for (const runbook of catalog.runbooks) {
      const markdown = await readFile(join(dir, runbook.file), 'utf8').catch((cause: unknown) => {
        throw new RunbookError(`runbook ${runbook.id}: cannot read ${runbook.file}`, { cause });
      });
      for (const s of splitSections(markdown))
        sections.push({ runbook: runbook.id, title: runbook.title, file: `runbooks/${runbook.file}`, ...s });
    }
    return new RunbookIndex(catalog, sections);
  }

  /** Runbooks for a fault kind, as the catalog lists them. */
  forFault(fault: string): RunbookCatalog['runbooks'] {
    return this.catalog.runbooks.filter((r) => r.faults.includes(fault));
  }

  section(runbook: string, section: string): RunbookSection | undefined {
    return this.docs.find(
      (d) => d.section.runbook === runbook && d.section.section.toLowerCase() === section.toLowerCase(),
    )?.section;
  }

  search(query: string, limit = 5): RunbookHit[] {
    const words = [...new Set(terms(query))];
    const n = this.docs.length;
    const k1 = 1.2;
    const b = 0.75;
    const scored = this.docs.map((doc) => {
      let score = 0;
      for (const w of words) {
        const f = doc.tf.get(w);
        if (!f) continue;
        const idf = Math.log(1 + (n - (this.df.get(w) ?? 0) + 0.5) / ((this.df.get(w) ?? 0) + 0.5));
        score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * doc.length) / this.averageLength));
      }
      return { doc, score };
    });
    return scored
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score || a.doc.section.runbook.localeCompare(b.doc.section.runbook))
      .slice(0, limit)
      .map(({ doc, score }) => {
        const { text, ...rest } = doc.section;
        return { ...rest, score: Number(score.toFixed(3)), excerpt: excerpt(text, words) };
      });
  }
}

function excerpt(text: string, words: string[]): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const hit = lines.findIndex((l) => terms(l).some((t) => words.includes(t)));
  return lines
    .slice(Math.max(0, hit), Math.max(0, hit) + 4)
    .join('\n')
    .slice(0, 600);
}
