import type { Environment } from './arguments.js';
import { OPTION_ROWS } from './option-table.js';

const SECRET_ROWS = OPTION_ROWS.filter(([, row]) => row.secret);
const SECRET_OPTIONS = SECRET_ROWS.map(([name]) => `--${name}`);
const SECRET_VARIABLES = SECRET_ROWS.flatMap(([, row]) => (row.env ? [row.env] : []));
const HIDDEN = '[token hidden]';

/**
 * Every token the command line or environment carries, read from the raw argv
 * so they are known even when parsing fails.
 */
export function secretsIn(argv: readonly string[], env: Environment): string[] {
  const secrets: string[] = [];
  argv.forEach((argument, index) => {
    if (SECRET_OPTIONS.includes(argument) && argv[index + 1] !== undefined) secrets.push(argv[index + 1] as string);
    for (const option of SECRET_OPTIONS) {
      if (argument.startsWith(`${option}=`)) secrets.push(argument.slice(option.length + 1));
    }
  });
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (value) secrets.push(value);
  }
  // Very short values would blank out ordinary words.
  return secrets.filter((secret) => secret.length >= 4);
}

/** A last line of defence: whatever is printed, no token is in it. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const longestFirst = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  return (text) => longestFirst.reduce((result, secret) => result.split(secret).join(HIDDEN), text);
}
