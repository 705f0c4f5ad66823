#!/usr/bin/env node
// The command line runs a cached bundle of cli/main.ts, rebuilt when a source changes, or without one
// (BOUNDLESS_NO_BUNDLE=1, a build error) the TypeScript sources through tsx's loader: bin/cli-bundle.mjs.
import { loadCli } from './cli-bundle.mjs';

// The AWS SDK warns on every start under Node 20 that its releases after early 2027 need Node 22. The lockfile
// pins this release and the deployed functions run nodejs22.x, so the warning tells a local user nothing they
// can act on; setting the variable yourself (to anything else) brings it back.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await loadCli();
process.exitCode = await main(process.argv);
