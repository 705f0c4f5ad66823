import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import { useCan } from '../../auth/SessionGate.tsx';
import { ErrorState } from '../../components/ui/States.tsx';
import { upsertFeedback, upsertMitigation } from '../../lib/merge.ts';
import type { FeedbackRule, StoredMitigation } from '../../lib/types.ts';

/** Rollback and "False positive" (policy decisions only) for on-call; nothing is offered to a viewer. */
export function MitigationActions({ mitigation }: { mitigation: StoredMitigation }) {
  const client = useQueryClient();
  const onCall = useCan('on_call');
  const owner = useCan('owner');
  const [open, setOpen] = useState<'none' | 'rollback' | 'false_positive'>('none');
  const [reason, setReason] = useState('');
  const [remedy, setRemedy] = useState<'suppress' | 'allow_list'>('suppress');
  const [hours, setHours] = useState(24);
  const id = useId();
  const rollback = useMutation({
    mutationFn: () =>
      api<{ mitigation: StoredMitigation }>(`/api/mitigations/${mitigation.id}/rollback`, {
        method: 'POST',
        body: { reason },
      }),
    onSuccess: (result) => {
      client.setQueryData<StoredMitigation[]>(keys.mitigations, (list) =>
        list ? upsertMitigation(list, result.mitigation) : list,
      );
      setOpen('none');
    },
  });
  const falsePositive = useMutation({
    mutationFn: () =>
      api<{ mitigation: StoredMitigation; rule: FeedbackRule }>(
        `/api/mitigations/${mitigation.id}/false-positive`,
        {
          method: 'POST',
          body: { reason, remedy, suppressHours: hours },
        },
      ),
    onSuccess: (result) => {
      client.setQueryData<StoredMitigation[]>(keys.mitigations, (list) =>
        list ? upsertMitigation(list, result.mitigation) : list,
      );
      client.setQueryData<FeedbackRule[]>(keys.feedback, (list) =>
        list ? upsertFeedback(list, result.rule) : list,
      );
      setOpen('none');
    },
  });
  if (!onCall) return null;
  const pending = rollback.isPending || falsePositive.isPending;
  const error = rollback.error ?? falsePositive.error;
  return (
    <div className="row-actions">
      {open === 'none' ? (
        <>
          <button type="button" onClick={() => setOpen('rollback')} data-testid={`rollback-${mitigation.id}`}>
            Roll back
          </button>
          {/* A person approved it (a change set): no detector to correct; undo it by rolling the change set back. */}
          {mitigation.changeSet ? null : (
            <button
              type="button"
              onClick={() => setOpen('false_positive')}
              data-testid={`false-positive-${mitigation.id}`}
            >
              False positive
            </button>
          )}
        </>
      ) : (
        <form
          className="inline-form"
          aria-label={open === 'rollback' ? 'Roll back the mitigation' : 'Mark as a false positive'}
          onSubmit={(event) => {
            event.preventDefault();
            if (open === 'rollback') rollback.mutate();
            else falsePositive.mutate();
          }}
        >
          <label htmlFor={`${id}-reason`}>Reason (for the audit trail)</label>
          <input
            id={`${id}-reason`}
            value={reason}
            minLength={3}
            required
            onChange={(e) => setReason(e.target.value)}
            placeholder={
              open === 'rollback' ? 'e.g. customer confirmed' : 'e.g. a class reading on one account'
            }
          />
          {open === 'false_positive' ? (
            <fieldset>
              <legend>From now on</legend>
              <label>
                <input
                  type="radio"
                  name={`${id}-remedy`}
                  checked={remedy === 'suppress'}
                  onChange={() => setRemedy('suppress')}
                />
                take no action on this subject for{' '}
              </label>
              <label htmlFor={`${id}-hours`} className="visually-hidden">
                Hours to suppress
              </label>
              <input
                id={`${id}-hours`}
                type="number"
                min={1}
                max={168}
                value={hours}
                onChange={(e) => setHours(Number(e.target.value))}
                disabled={remedy !== 'suppress'}
              />{' '}
              hours
              {owner && !mitigation.target.tokenId ? (
                <label>
                  <input
                    type="radio"
                    name={`${id}-remedy`}
                    checked={remedy === 'allow_list'}
                    onChange={() => setRemedy('allow_list')}
                  />
                  add it to the allow-list (owner)
                </label>
              ) : null}
            </fieldset>
          ) : null}
          <button type="submit" disabled={pending}>
            {open === 'rollback' ? 'Confirm rollback' : 'Record false positive'}
          </button>
          <button type="button" className="secondary" onClick={() => setOpen('none')}>
            Cancel
          </button>
        </form>
      )}
      {error ? <ErrorState error={error} what="the change" /> : null}
    </div>
  );
}
