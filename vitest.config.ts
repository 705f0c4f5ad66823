import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{common,delivery,local,copilot,datasets,dashboard,infra,cli}/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', '**/cdk.out/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/summary-reporter.ts'],
    allowOnly: false,
  },
});
