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
