import { describe, expect, it } from 'vitest';
import { changeSetActions, upsertChangeSet } from './change-sets.ts';
import type { ChangeSet } from './types.ts';

const cs = (over: Partial<ChangeSet> = {}): ChangeSet =>
  ({
    id: 'cs1',
    proposedBy: 'alice',
    proposedAt: '2026-01-01T00:00:00Z',
    status: 'proposed',
    tier: 'on_call',
    tierReasons: [],
    revision: 1,
    ...over,
  }) as ChangeSet;

describe('change-set actions by role', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  it('never lets the proposer or a viewer approve, and an owner tier needs an owner', () => {
    expect(
      changeSetActions(cs(), { actor: 'alice', roles: ['viewer', 'on_call'] }, now).approve.allowed,
    ).toBe(false);
    expect(changeSetActions(cs(), { actor: 'vera', roles: ['viewer'] }, now).approve.allowed).toBe(false);
    expect(changeSetActions(cs(), { actor: 'bob', roles: ['viewer', 'on_call'] }, now).approve.allowed).toBe(
      true,
    );
    const owner = cs({ tier: 'owner', tierReasons: ['deletes 1 resource'] });
    expect(
      changeSetActions(owner, { actor: 'bob', roles: ['viewer', 'on_call'] }, now).approve.why,
    ).toContain('owner');
    expect(
      changeSetActions(owner, { actor: 'olga', roles: ['viewer', 'on_call', 'owner'] }, now).approve.allowed,
    ).toBe(true);
  });
  it('offers apply only while the approval is in force', () => {
    const approved = (expiresAt: string) =>
      cs({ status: 'approved', approval: { expiresAt } as ChangeSet['approval'] });
    const bob = { actor: 'bob', roles: ['viewer', 'on_call'] as const };
    expect(
      changeSetActions(approved('2026-01-01T02:00:00Z'), { ...bob, roles: [...bob.roles] }, now).apply,
    ).toBe(true);
    expect(
      changeSetActions(approved('2026-01-01T00:30:00Z'), { ...bob, roles: [...bob.roles] }, now).apply,
    ).toBe(false);
  });
  it('keeps the newer revision whatever order updates come in', () => {
    const newer = cs({ revision: 3, status: 'applied' });
    expect(upsertChangeSet(upsertChangeSet([], newer), cs({ revision: 2 }))[0]?.status).toBe('applied');
    expect(upsertChangeSet([cs()], newer)).toHaveLength(1);
  });
});
