#!/usr/bin/env node
// The command line runs the TypeScript sources directly; tsx's loader compiles them on import.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
