#!/usr/bin/env node
// The command line runs a cached bundle of cli/main.ts, rebuilt when a source changes, or without one
// (BOUNDLESS_NO_BUNDLE=1, a build error) the TypeScript sources through tsx's loader: bin/cli-bundle.mjs.
import { loadCli } from './cli-bundle.mjs';

const { main } = await loadCli();
process.exitCode = await main(process.argv);
