#!/usr/bin/env node
// The `governess` command: loads the TypeScript CLI through tsx so it works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/service/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
