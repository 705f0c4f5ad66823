import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { keys } from '../api/queries.ts';
import { upsertChangeSet } from '../lib/change-sets.ts';
import {
  applyDecision,
  upsertFeedback,
  upsertFinding,
  upsertMitigation,
  upsertPrewarmDecision,
} from '../lib/merge.ts';
import type {
  AckResult,
  ChangeSet,
  ClientToServerEvents,
  FeedbackRule,
  Guardrails,
  PrewarmDecisions,
  ServerToClientEvents,
  StoredFinding,
  StoredMitigation,
} from '../lib/types.ts';
import { wireIncidents } from './incident-events.ts';
import { applyOpsUpdate } from './ops-views.ts';
import { mergePushed } from './push-merge.ts';
import { rereadOnConnect } from './reread.ts';
import { applySloReport } from './slo-report.ts';

type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'expired' | 'refused';

interface LiveState {
  status: LiveStatus;
  /** Wall-clock ms of the last event or (re)connection: pages call data older than their cadence stale. */
  lastEventAt: number | null;
  /** Why the server refused or dropped us, when it said. */
  reason: string | null;
}

const LiveContext = createContext<LiveState>({ status: 'connecting', lastEventAt: null, reason: null });

export const useLive = () => useContext(LiveContext);

/** Asks the copilot in an incident over the page's socket; the answer streams back as events. */
type Ask = (incidentId: string, text: string) => Promise<AckResult<{ messageId: string }>>;

const AskContext = createContext<Ask>(async () => ({
  ok: false,
  error: { code: 'offline', message: 'the live connection is not open' },
}));

export const useAsk = () => useContext(AskContext);

type OperatorSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Every pushed event lands in the query cache through a merge that tolerates repeats and late arrivals. */
function wire(socket: OperatorSocket, client: QueryClient, touched: () => void): void {
  const update = <T,>(key: readonly unknown[], fn: (current: T) => T) => {
    touched();
    mergePushed(client, key, fn);
  };
  socket.on('finding.created', (finding) =>
    update<StoredFinding[]>(keys.findings, (list) => upsertFinding(list, finding)),
  );
  socket.on('finding.decided', (decided) =>
    update<StoredFinding[]>(keys.findings, (list) => applyDecision(list, decided)),
  );
  const mitigation = (m: StoredMitigation) =>
    update<StoredMitigation[]>(keys.mitigations, (list) => upsertMitigation(list, m));
  socket.on('mitigation.applied', mitigation);
  socket.on('mitigation.lifted', mitigation);
  const feedback = (rule: FeedbackRule) =>
    update<FeedbackRule[]>(keys.feedback, (list) => upsertFeedback(list, rule));
  socket.on('feedback.recorded', feedback);
  socket.on('feedback.ended', feedback);
  socket.on('guardrails.changed', (change) => update<Guardrails>(keys.guardrails, () => change.guardrails));
  socket.on('slo.report', (report) => {
    touched();
    applySloReport(client, report);
  });
  socket.on('ops.updated', (update) => {
    touched();
    applyOpsUpdate(client, update);
  });
  socket.on('source.status', touched);
  wireIncidents(socket, client, touched);
  socket.on('change_set.updated', ({ changeSet }) => {
    touched();
    update<ChangeSet[]>(keys.changeSets, (list) => upsertChangeSet(list, changeSet));
    void client.invalidateQueries({ queryKey: keys.changeSet(changeSet.id) });
  });
  socket.on('prewarm.decision', (record) => {
    for (const fn of [record.functionName, ''])
      update<PrewarmDecisions>(keys.prewarmDecisions(fn), (view) => upsertPrewarmDecision(view, record));
  });
  socket.on('report.published', () => {
    touched();
    void client.invalidateQueries({ queryKey: keys.reports });
  });
}

export function LiveProvider({ children, enabled }: { children: ReactNode; enabled: boolean }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>({ status: 'connecting', lastEventAt: null, reason: null });
  const socketRef = useRef<OperatorSocket | null>(null);
  // Stable for the page's lifetime: the socket it uses is whichever is connected when it is called.
  const ask = useCallback<Ask>(
    (incidentId, text) =>
      new Promise((resolve) => {
        const socket = socketRef.current;
        if (!socket?.connected) {
          resolve({ ok: false, error: { code: 'offline', message: 'the live connection is not open' } });
          return;
        }
        socket.timeout(30_000).emit('incident.ask', { incidentId, text }, (error, result) => {
          resolve(
            error
              ? {
                  ok: false,
                  error: { code: 'timeout', message: 'the copilot did not acknowledge the question' },
                }
              : result,
          );
        });
      }),
    [],
  );

  useEffect(() => {
    if (!enabled) return;
    // Same origin: the session cookie authenticates the handshake; the page holds no token to pass.
    const socket: OperatorSocket = io({ transports: ['websocket'], reconnectionDelayMax: 5_000 });
    socketRef.current = socket;
    const touched = () => setState((s) => ({ ...s, lastEventAt: Date.now() }));
    wire(socket, client, touched);
    let firstConnect = true;
    socket.on('connect', () => {
      setState({ status: 'live', lastEventAt: Date.now(), reason: null });
      // Missed events were replayed when the server could; otherwise the lists are read again. Either way the
      // merges above keep every row once. The first connect reads the lists again too: an event emitted between
      // the page's first answers and this connect (an incident another engineer just opened) would otherwise be
      // missed until the next refetch (live/reread.ts says which queries).
      const first = firstConnect;
      firstConnect = false;
      if (!socket.recovered)
        void client.invalidateQueries({ predicate: (q) => rereadOnConnect(q.queryKey, first) });
    });
    socket.on('session.expired', () => {
      setState((s) => ({ ...s, status: 'expired', reason: 'Your session expired.' }));
      void client.invalidateQueries({ queryKey: keys.session });
    });
    socket.on('disconnect', (reason) => {
      // The server cut us (expiry): do not retry with the same dead cookie.
      if (reason === 'io server disconnect') {
        setState((s) => ({ ...s, status: s.status === 'expired' ? 'expired' : 'refused' }));
        return;
      }
      setState((s) => ({ ...s, status: 'reconnecting', reason }));
    });
    socket.on('connect_error', (error) => {
      const code = (error as Error & { data?: { code?: string } }).data?.code;
      if (code === 'unauthorized' || code === 'forbidden' || code === 'cross_site') {
        socket.disconnect();
        setState((s) => ({ ...s, status: 'refused', reason: error.message }));
        void client.invalidateQueries({ queryKey: keys.session });
        return;
      }
      setState((s) => ({ ...s, status: 'reconnecting', reason: error.message }));
    });
    return () => {
      socketRef.current = null;
      socket.disconnect();
    };
  }, [client, enabled]);

  return (
    <LiveContext.Provider value={state}>
      <AskContext.Provider value={ask}>{children}</AskContext.Provider>
    </LiveContext.Provider>
  );
}
