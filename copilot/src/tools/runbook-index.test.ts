import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../diagnose/types.ts';
import { RunbookIndex, splitSections } from './runbook-index.ts';

describe('Runbooks', () => {
  it('every catalogued runbook has Goal, Workflow, Findings and Remediation, and every fault kind has a runbook', async () => {
    const index = await RunbookIndex.load();
    for (const runbook of index.catalog.runbooks)
      for (const section of ['Goal', 'Workflow', 'Findings', 'Remediation'])
        expect(index.section(runbook.id, section)?.text.length, `${runbook.id} ${section}`).toBeGreaterThan(
          40,
        );
    for (const fault of FAULT_KINDS) expect(index.forFault(fault).length, fault).toBeGreaterThan(0);
  });

  it('finds the section that answers a question and cites its file and line', async () => {
    const index = await RunbookIndex.load();
    const [hit] = index.search('tokens rejected after the signing key was rotated, unknown kid');
    expect(hit).toMatchObject({ runbook: 'signing-key-rotation', file: 'runbooks/signing-key-rotation.md' });
    expect(hit!.line).toBeGreaterThan(1);
    expect(index.search('zzzz qqqq')).toEqual([]);
  });

  it('splits markdown at its second-level headings with the line each starts at', () => {
    expect(
      splitSections('# T\n\n## Goal\nA\n\n## Workflow\n1. B\n').map((s) => [s.section, s.line, s.text]),
    ).toEqual([
      ['Goal', 3, 'A'],
      ['Workflow', 6, '1. B'],
    ]);
  });
});
