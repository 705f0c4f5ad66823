import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createFileOnce, replaceFile } from '@boundless/common/files';
import { ChangeSetError } from './errors.ts';
import { hashOf, patchBetween } from './plan.ts';
import type { DocumentPlanner, DocumentRepository } from './ports.ts';
import type { PlanDiff } from './types.ts';

/**
 * A JSON document in a file (the local runtime's tunables and policies under its data dir). Its version is the
 * hash of its content, so a hand edit moves the version as surely as a change set does. On first read a missing
 * file is created from `initial` (the repository's defaults).
 */
export class JsonFileDocument implements DocumentRepository {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly initial?: () => Promise<unknown> | unknown,
  ) {}

  async read(): Promise<{ content: unknown; version: string }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !this.initial) throw error;
      const content = await this.initial();
      // Only where there is still no file: one written meanwhile (a change set applied) is never replaced.
      if (await this.seed(content)) return { content, version: hashOf(content) };
      return this.read();
    }
    let content: unknown;
    try {
      content = JSON.parse(text);
    } catch (cause) {
      // The file and the reason apart in the details, so a caller can name the file once in its own words.
      const reason = `not valid JSON (${(cause as Error).message})`;
      throw new ChangeSetError(
        'invalid_document',
        `${this.path} is ${reason}`,
        { file: this.path, reason },
        { cause },
      );
    }
    return { content, version: hashOf(content) };
  }

  /** Serialised per process: the version check and the rename happen as one step. */
  write(content: unknown, expectedVersion: string): Promise<string> {
    const run = this.queue.then(async () => {
      const current = await this.read();
      if (current.version !== expectedVersion)
        throw new ChangeSetError(
          'stale_plan',
          `${this.path} is at ${current.version}, not ${expectedVersion}`,
        );
      await this.save(content);
      return hashOf(content);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Creates the file with `content` unless it exists by now; whether it did. */
  private async seed(content: unknown): Promise<boolean> {
    await mkdir(dirname(this.path), { recursive: true });
    return createFileOnce(this.path, `${JSON.stringify(content, null, 2)}\n`);
  }

  private async save(content: unknown): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await replaceFile(this.path, `${JSON.stringify(content, null, 2)}\n`);
  }
}

/** A document's diff as the reviewer reads a JSON change: one line per changed value. */
export function jsonPlanDiff(before: unknown, after: unknown): PlanDiff {
  const lines = patchBetween(before, after).map((op) => {
    const value = 'value' in op ? JSON.stringify(op.value) : '';
    const previous = op.op === 'add' ? '' : JSON.stringify(valueAt(before, op.path));
    if (op.op === 'replace') return `~ ${op.path}: ${previous} -> ${value}`;
    if (op.op === 'add') return `+ ${op.path}: ${value}`;
    if (op.op === 'remove') return `- ${op.path}: ${previous}`;
    return `${op.op} ${op.path}`;
  });
  return {
    text: lines.join('\n'),
    securityText: '',
    differenceCount: lines.length,
    resources: [],
    ownerReasons: [],
    iamBroadened: false,
    replacements: 0,
    deletions: 0,
  };
}

function valueAt(document: unknown, pointer: string): unknown {
  let node: unknown = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** A planner for a JSON document with a validator: its diff is the JSON change itself. */
export function jsonDocumentPlanner(
  validate: (content: unknown) => void | Promise<void>,
  ownerReasons?: (before: unknown, after: unknown) => string[],
): DocumentPlanner {
  return {
    validate: async (content) => {
      try {
        await validate(content);
      } catch (cause) {
        throw new ChangeSetError('invalid_document', (cause as Error).message, undefined, { cause });
      }
    },
    diff: async (before, after) => jsonPlanDiff(before, after),
    ...(ownerReasons ? { ownerReasons } : {}),
  };
}
