import type { Command } from 'commander';
import { registerEvalAbuse } from './eval-abuse.ts';
import { registerEvalAnomalies } from './eval-anomalies.ts';
import { registerEvalAnomaliesRobustness } from './eval-anomalies-robustness.ts';
import { registerEvalDiagnose } from './eval-diagnose.ts';
import { registerEvalPrewarm } from './eval-prewarm.ts';

export function registerEval(program: Command): void {
  const evaluate = program
    .command('eval')
    .description('evaluate detectors and planners on labelled or real data');
  registerEvalAbuse(evaluate);
  registerEvalAnomalies(evaluate);
  registerEvalAnomaliesRobustness(evaluate);
  registerEvalDiagnose(evaluate);
  registerEvalPrewarm(evaluate);
}
