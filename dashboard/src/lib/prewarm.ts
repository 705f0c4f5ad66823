import type { PrewarmLoopStatus } from './types.ts';

export const MODE_LABEL = { live: 'Live', 'dry-run': 'Dry run', off: 'Off' } as const;

/**
 * The heading of an empty decisions list. Before any function has run there is none to name (the Capacity page
 * has no function to select yet), and the sentence must still read.
 */
export function noDecisionTitle(functionName: string, mode: PrewarmLoopStatus['mode']): string {
  if (mode === 'off') return 'Pre-warming loop off';
  const which = functionName ? `No decision for ${functionName} yet` : 'No decision yet';
  return `${which} (${MODE_LABEL[mode].toLowerCase()})`;
}

/**
 * A function the running loop does not plan (its list leaves it out: the approved tunables fix its provisioned
 * concurrency), so its empty decisions list is no "not yet": what to say instead, or undefined when it is planned.
 */
export function notPlanned(
  functionName: string,
  status: PrewarmLoopStatus,
): { title: string; body: string } | undefined {
  if (status.mode === 'off' || functionName === '' || status.functions.length === 0) return undefined;
  if (status.functions.includes(functionName)) return undefined;
  const shown = status.functions.slice(0, 3).join(', ');
  const more = status.functions.length > 3 ? ` and ${status.functions.length - 3} more` : '';
  return {
    title: `The pre-warming loop does not plan ${functionName}`,
    body: `Its provisioned concurrency is left to the approved tunables (changed through a change set). The loop plans ${shown}${more}.`,
  };
}
