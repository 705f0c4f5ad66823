import { describe, expect, it } from 'vitest';
import {
  budgetUse,
  draftDelta,
  draftDone,
  draftStep,
  pendingDrafts,
  segments,
  upsertIncident,
  withAnswer,
  withBudget,
  withProposal,
  withQuestion,
} from './incidents.ts';
import type {
  AnswerDone,
  BudgetView,
  IncidentDetail,
  IncidentSummary,
  Proposal,
  UserMessage,
} from './types.ts';

const budget = (tokens: number): BudgetView => ({
  used: { inputTokens: tokens, outputTokens: 0, costUsd: 0, modelCalls: 1, estimatedCalls: 0 },
  limits: { maxTokens: 1000, maxCostUsd: 1, maxOutputTokensPerCall: 100 },
  remainingTokens: 1000 - tokens,
  remainingUsd: null,
  exhausted: tokens >= 1000,
});

const incident = (id: string, openedAt: string, updatedAt = openedAt): IncidentSummary => ({
  id,
  title: id,
  status: 'open',
  severity: 'warning',
  openedAt,
  openedBy: 'user:a',
  origin: { kind: 'operator' },
  window: { from: openedAt, to: openedAt },
  context: {},
  updatedAt,
  messages: 0,
  usage: budget(0).used,
  chat: { mode: 'offline', model: 'offline diagnostician' },
  budget: budget(0),
});

const question = (id: string, seq: number): UserMessage => ({
  id,
  incidentId: 'inc_1',
  seq,
  role: 'user',
  at: '2026-12-05T10:00:00Z',
  actor: 'user:a',
  text: 'why?',
});

const detail = (): IncidentDetail => ({
  incident: incident('inc_1', '2026-12-05T10:00:00Z'),
  messages: [],
  citations: [],
  suggestions: [],
});

const done = (tokens: number): AnswerDone => ({
  incidentId: 'inc_1',
  message: {
    id: 'msg_2',
    incidentId: 'inc_1',
    seq: 2,
    role: 'assistant',
    at: '2026-12-05T10:00:05Z',
    replyTo: 'msg_1',
    mode: 'offline',
    model: 'offline diagnostician',
    text: 'It is the database [E1].',
    citations: ['E1'],
    unknownCitations: [],
    coverage: { claims: 1, cited: 1 },
    suggestions: [],
    steps: [],
    usage: budget(tokens).used,
    withheld: 0,
    masked: {},
  },
  citations: [
    {
      id: 'E1',
      kind: 'log',
      ref: { eventId: '1', logGroup: 'g' },
      tool: 'logs',
      query: { tool: 'logs', params: {} },
    },
  ],
  suggestions: [
    {
      id: 'sug_1',
      incidentId: 'inc_1',
      messageId: 'msg_2',
      status: 'suggested',
      action: 'follow_runbook',
      target: { runbook: 'r' },
      rationale: 'the runbook covers it',
      evidence: ['E1'],
      by: 'diagnostician',
    },
  ],
  budget: budget(tokens),
});

describe('incident list', () => {
  it('upserts by id, newest first, and never lets an older version replace a newer one', () => {
    const a = incident('inc_a', '2026-12-05T09:00:00Z');
    const b = incident('inc_b', '2026-12-05T10:00:00Z');
    let list = upsertIncident(upsertIncident([], a), b);
    expect(list.map((i) => i.id)).toEqual(['inc_b', 'inc_a']);
    const resolved = { ...a, status: 'resolved' as const, updatedAt: '2026-12-05T11:00:00Z' };
    list = upsertIncident(list, resolved);
    list = upsertIncident(list, a);
    expect(list.find((i) => i.id === 'inc_a')?.status).toBe('resolved');
    expect(upsertIncident(list, resolved)).toHaveLength(2);
  });
});

describe('the open incident', () => {
  it('folds a question, then its answer, each once however often it is delivered', () => {
    let d = withQuestion(detail(), question('msg_1', 1));
    d = withQuestion(d, question('msg_1', 1));
    d = withAnswer(d, done(300));
    d = withAnswer(d, done(300));
    expect(d.messages.map((m) => m.id)).toEqual(['msg_1', 'msg_2']);
    expect(d.citations.map((c) => c.id)).toEqual(['E1']);
    expect(d.suggestions).toHaveLength(1);
    expect(d.incident.budget.used.inputTokens).toBe(300);
  });

  it('keeps a proposed suggestion proposed when its answer arrives again', () => {
    let d = withAnswer(detail(), done(10));
    const proposal = { id: 'prop_1', incidentId: 'inc_1', suggestionId: 'sug_1' } as Proposal;
    d = withProposal(d, proposal);
    d = withAnswer(d, done(10));
    expect(d.suggestions[0]).toMatchObject({ status: 'proposed', proposalId: 'prop_1' });
  });

  it("ignores another incident's events and an older budget", () => {
    const other = { ...question('msg_9', 1), incidentId: 'inc_2' };
    expect(withQuestion(detail(), other).messages).toEqual([]);
    const later = withBudget(detail().incident, budget(500));
    expect(withBudget(later, budget(100)).budget.used.inputTokens).toBe(500);
    expect(budgetUse(budget(250))).toBe(0.25);
  });
});

describe('streaming drafts', () => {
  it('accumulates deltas and steps until the stored answer replaces the draft', () => {
    let drafts = draftDelta({}, { incidentId: 'inc_1', replyTo: 'msg_1', text: 'It is ' });
    drafts = draftStep(drafts, {
      incidentId: 'inc_1',
      replyTo: 'msg_1',
      step: { tool: 'diagnose', params: {}, outcome: 'success', cached: false, citations: [] },
    });
    drafts = draftDelta(drafts, { incidentId: 'inc_1', replyTo: 'msg_1', text: 'the database' });
    expect(drafts.msg_1).toMatchObject({ text: 'It is the database', steps: [{ tool: 'diagnose' }] });
    expect(pendingDrafts(drafts, detail())).toHaveLength(1);
    // Once the answer is stored (a refetch may bring it before the done event), the draft is not shown.
    expect(pendingDrafts(drafts, withAnswer(detail(), done(1)))).toHaveLength(0);
    expect(draftDone(drafts, 'msg_1')).toEqual({});
  });
});

describe('citations in an answer', () => {
  it('cuts the text into prose and one marker per cited id', () => {
    expect(segments('The API fails [E1, E3]; the database is slow [E2].')).toEqual([
      { text: 'The API fails ' },
      { cite: 'E1' },
      { cite: 'E3' },
      { text: '; the database is slow ' },
      { cite: 'E2' },
      { text: '.' },
    ]);
    expect(segments('no citations [here]')).toEqual([{ text: 'no citations [here]' }]);
  });
});
