import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type {
  CapacityView,
  ChangeAuditEntry,
  ChangeSet,
  DailyReport,
  CostView,
  FeedbackRule,
  Guardrails,
  IncidentDetail,
  IncidentSummary,
  Overview,
  PrewarmDecisions,
  ReportList,
  ResolvedEvidence,
  Session,
  SloHistory,
  SloSnapshot,
  StoredFinding,
  StoredMitigation,
} from '../lib/types.ts';
import { newerSnapshot, PREWARM_DECISIONS_SHOWN } from '../lib/merge.ts';
import { rangeQuery, type TimeRange } from '../lib/url-state.ts';
import { api } from './client.ts';

/** Query keys in one place: the live layer writes into exactly these. */
export const keys = {
  session: ['session'] as const,
  slo: ['slo'] as const,
  sloHistory: (id: string, range: TimeRange) =>
    ['slo', id, 'history', range.key, range.key === 'custom' ? range.fromMs : 0] as const,
  findings: ['findings'] as const,
  mitigations: ['mitigations'] as const,
  feedback: ['feedback'] as const,
  guardrails: ['guardrails'] as const,
  overview: (range: TimeRange) => ['overview', range.key, range.key === 'custom' ? range.fromMs : 0] as const,
  capacity: (range: TimeRange) => ['capacity', range.key, range.key === 'custom' ? range.fromMs : 0] as const,
  cost: (days: number) => ['cost', days] as const,
  /** The pre-warming loop's decisions of one function, or of all (''); the live layer merges into both. */
  prewarmDecisions: (fn: string) => ['prewarm-decisions', fn] as const,
  incidents: ['incidents'] as const,
  incident: (id: string) => ['incident', id] as const,
  /** Answers being written (lib/incidents.ts `Drafts`): filled by the live layer only, never fetched. */
  drafts: ['incident-drafts'] as const,
  evidence: (incidentId: string, citationId: string) => ['evidence', incidentId, citationId] as const,
  changeSets: ['change-sets'] as const,
  changeSet: (id: string) => ['change-sets', id] as const,
  reports: ['reports'] as const,
  report: (day: string) => ['reports', day] as const,
};

/*
 * Option factories for the queries the first screen needs: the hooks and the boot prefetch (api/prefetch.ts)
 * share them, so a prefetched answer lands under the very key the page then reads.
 */
export const sessionQuery = () =>
  queryOptions({
    queryKey: keys.session,
    queryFn: () => api<Session>('/auth/session'),
    retry: false,
    // A signed-out answer (401) the boot script already got is the answer: the gate mounting must not ask
    // again (a second refused request in the console). An expired session still re-reads: it is invalidated.
    retryOnMount: false,
    staleTime: 60_000,
  });

/**
 * The objectives as of the last closed minute. A read answered before a pushed snapshot can land after it: the
 * newer of the two is kept (by `asOf`), or the page would step back a minute until the next push or refetch.
 */
export const sloQuery = () =>
  queryOptions({
    queryKey: keys.slo,
    queryFn: () => api<SloSnapshot>('/api/slo'),
    structuralSharing: (current: unknown, next: unknown) =>
      newerSnapshot(current as SloSnapshot | undefined, next as SloSnapshot),
  });

/** Named ranges end "now": the key holds the name, so a live refetch moves the window along. */
export const sloHistoryQuery = (id: string, range: TimeRange) =>
  queryOptions({
    queryKey: keys.sloHistory(id, range),
    queryFn: () => api<SloHistory>(`/api/slo/${encodeURIComponent(id)}/history?${rangeQuery(range)}`),
  });

export const overviewQuery = (range: TimeRange) =>
  queryOptions({
    queryKey: keys.overview(range),
    queryFn: () => api<Overview>(`/api/overview?${rangeQuery(range)}`),
  });

export const useSession = () => useQuery(sessionQuery());

export const useSlo = () => useQuery(sloQuery());

export const useSloHistory = (id: string, range: TimeRange) =>
  useQuery({ ...sloHistoryQuery(id, range), placeholderData: keepPreviousData });

export const useFindings = () =>
  useQuery({
    queryKey: keys.findings,
    queryFn: async () => (await api<{ findings: StoredFinding[] }>('/api/findings?limit=200')).findings,
  });

export const useMitigations = () =>
  useQuery({
    queryKey: keys.mitigations,
    queryFn: async () => (await api<{ mitigations: StoredMitigation[] }>('/api/mitigations')).mitigations,
  });

export const useFeedback = () =>
  useQuery({
    queryKey: keys.feedback,
    queryFn: async () => (await api<{ feedback: FeedbackRule[] }>('/api/feedback')).feedback,
  });

export const useGuardrails = () =>
  useQuery({
    queryKey: keys.guardrails,
    queryFn: async () => (await api<{ guardrails: Guardrails }>('/api/guardrails')).guardrails,
  });

export const useOverview = (range: TimeRange) =>
  useQuery({ ...overviewQuery(range), placeholderData: keepPreviousData });

export const useCapacity = (range: TimeRange) =>
  useQuery({
    queryKey: keys.capacity(range),
    queryFn: () => api<CapacityView>(`/api/capacity?${rangeQuery(range)}`),
    placeholderData: keepPreviousData,
  });

export const usePrewarmDecisions = (fn: string) =>
  useQuery({
    queryKey: keys.prewarmDecisions(fn),
    // Without a function (none has served yet): the loop's status and every function's decisions.
    queryFn: () =>
      api<PrewarmDecisions>(
        `/api/prewarm/decisions?limit=${PREWARM_DECISIONS_SHOWN}${fn ? `&fn=${encodeURIComponent(fn)}` : ''}`,
      ),
  });

export const useCost = (days: number) =>
  useQuery({ queryKey: keys.cost(days), queryFn: () => api<CostView>(`/api/cost?days=${days}`) });

export const useIncidents = () =>
  useQuery({
    queryKey: keys.incidents,
    queryFn: async () => (await api<{ incidents: IncidentSummary[] }>('/api/incidents')).incidents,
  });

export const useIncident = (id: string | null) =>
  useQuery({
    queryKey: keys.incident(id ?? ''),
    queryFn: () => api<IncidentDetail>(`/api/incidents/${encodeURIComponent(id ?? '')}`),
    enabled: id !== null,
  });

/** A citation opened again from its source: it does not change, so it is read once. */
export const useEvidence = (incidentId: string, citationId: string | null) =>
  useQuery({
    queryKey: keys.evidence(incidentId, citationId ?? ''),
    queryFn: () =>
      api<ResolvedEvidence>(
        `/api/incidents/${encodeURIComponent(incidentId)}/evidence/${encodeURIComponent(citationId ?? '')}`,
      ),
    enabled: citationId !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });

export const useChangeSets = () =>
  useQuery({
    queryKey: keys.changeSets,
    queryFn: async () => (await api<{ changeSets: ChangeSet[] }>('/api/change-sets')).changeSets,
  });

/** One change set with its audit trail (and whether the hash chain is intact). */
export const useChangeSet = (id: string | null) =>
  useQuery({
    queryKey: keys.changeSet(id ?? ''),
    queryFn: () =>
      api<{ changeSet: ChangeSet; audit: ChangeAuditEntry[]; auditIntact: boolean }>(
        `/api/change-sets/${encodeURIComponent(id ?? '')}`,
      ),
    enabled: id !== null,
  });

export const useReports = () =>
  useQuery({
    queryKey: keys.reports,
    queryFn: () => api<ReportList>('/api/reports'),
  });

export const useReport = (day: string | null) =>
  useQuery({
    queryKey: keys.report(day ?? ''),
    queryFn: () => api<DailyReport>(`/api/reports/${encodeURIComponent(day ?? '')}`),
    enabled: day !== null,
  });
