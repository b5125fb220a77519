#!/usr/bin/env node
// The `unleash-maintenance` command: see `unleash-maintenance --help`.
import { runCli } from './run.js';

// No top-level await: this file is also built as CommonJS.
void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
});
