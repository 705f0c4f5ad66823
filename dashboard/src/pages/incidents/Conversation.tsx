import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { keys } from '../../api/queries.ts';
import { useCan } from '../../auth/SessionGate.tsx';
import { formatTime } from '../../lib/format.ts';
import { type Draft, type Drafts, pendingDrafts } from '../../lib/incidents.ts';
import type { AssistantMessage, IncidentDetail, ToolStep } from '../../lib/types.ts';
import { useAsk } from '../../live/LiveProvider.tsx';
import { CitedText } from './CitedText.tsx';
import { Suggestions } from './Suggestions.tsx';

function Steps({ steps }: { steps: ToolStep[] }) {
  if (steps.length === 0) return null;
  return (
    <details>
      <summary>Tools run ({steps.length})</summary>
      <ol>
        {steps.map((step, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: steps are in order and never reordered
          <li key={i}>
            <code>{step.tool}</code> {step.outcome}
            {step.cached ? ' (cached)' : ''}
            {step.detail ? `: ${step.detail}` : ''}
            {step.citations.length ? ` → ${step.citations.join(', ')}` : ''}
          </li>
        ))}
      </ol>
    </details>
  );
}

function Answer({ message, detail }: { message: AssistantMessage; detail: IncidentDetail }) {
  return (
    <li className="message assistant" data-testid="answer">
      <p className="muted">
        Copilot ({message.mode === 'offline' ? 'offline' : message.model}) · {formatTime(message.at)}
        {message.stopped ? ` · ended early: ${message.stopped.detail}` : ''}
        {message.withheld ? ` · ${message.withheld} instruction-like strings withheld from the model` : ''}
      </p>
      <div className="answer-text">
        <CitedText text={message.text} />
      </div>
      <Steps steps={message.steps} />
      <Suggestions suggestions={detail.suggestions.filter((s) => s.messageId === message.id)} />
    </li>
  );
}

function DraftAnswer({ draft }: { draft: Draft }) {
  return (
    <li className="message assistant" data-testid="draft" aria-busy={!draft.failed}>
      <p className="muted">{draft.failed ? `The answer failed: ${draft.failed}` : 'Copilot is answering…'}</p>
      <div className="answer-text">
        <CitedText text={draft.text} />
      </div>
      <Steps steps={draft.steps} />
    </li>
  );
}

/** The question an empty conversation offers with one click: the diagnosis, ranked and cited. */
const FIRST_QUESTION = 'What is happening?';

function AskForm({ incidentId, busy, first }: { incidentId: string; busy: boolean; first: boolean }) {
  const ask = useAsk();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const id = useId();
  const send = async (question: string) => {
    setSending(true);
    const result = await ask(incidentId, question);
    setSending(false);
    if (result.ok) {
      setText('');
      setError(null);
    } else setError(`${result.error.code}: ${result.error.message}`);
  };
  return (
    <form
      className="ask"
      onSubmit={async (event) => {
        event.preventDefault();
        await send(text.trim());
      }}
    >
      {first ? (
        <p>
          <button
            type="button"
            data-testid="ask-first"
            disabled={busy || sending}
            onClick={() => void send(FIRST_QUESTION)}
          >
            Ask “{FIRST_QUESTION}”
          </button>
        </p>
      ) : null}
      <label htmlFor={`${id}-q`}>Ask the copilot</label>
      <textarea
        id={`${id}-q`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={2}
        maxLength={4000}
        required
      />
      <button type="submit" disabled={busy || sending || !text.trim()}>
        {busy ? 'Answering…' : 'Ask'}
      </button>
      {error ? (
        <p className="state state-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

/** The incident's conversation: questions, stored answers with their citations, answers as they stream. */
export function Conversation({ detail }: { detail: IncidentDetail }) {
  const onCall = useCan('on_call');
  const client = useQueryClient();
  const drafts = useQuery<Drafts>({
    queryKey: keys.drafts,
    // Filled by the live layer only: reading it again (a reconnect refreshes every query) keeps what is there.
    queryFn: () => client.getQueryData<Drafts>(keys.drafts) ?? {},
    initialData: {},
    staleTime: Number.POSITIVE_INFINITY,
  });
  const pending = pendingDrafts(drafts.data, detail);
  const open = detail.incident.status === 'open';
  return (
    <section aria-labelledby="conversation-title">
      <h2 id="conversation-title">Conversation</h2>
      <ol className="conversation" aria-live="polite">
        {detail.messages.map((m) =>
          m.role === 'user' ? (
            <li key={m.id} className="message user" data-testid="question">
              <p className="muted">
                {m.actor.replace(/^user:/, '')} · {formatTime(m.at)}
              </p>
              <p>{m.text}</p>
            </li>
          ) : (
            <Answer key={m.id} message={m} detail={detail} />
          ),
        )}
        {pending.map((d) => (
          <DraftAnswer key={d.replyTo} draft={d} />
        ))}
      </ol>
      {detail.messages.length === 0 && pending.length === 0 ? (
        <p className="muted">
          No questions yet. Ask what is happening; every claim in the answer cites its evidence.
        </p>
      ) : null}
      {open && onCall ? (
        <AskForm
          incidentId={detail.incident.id}
          busy={pending.some((d) => !d.failed)}
          first={detail.messages.length === 0 && pending.length === 0}
        />
      ) : null}
    </section>
  );
}
