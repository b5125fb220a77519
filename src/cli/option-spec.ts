import type { ParseArgsConfig } from 'node:util';

export const COMMANDS = ['on', 'off', 'status'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Every option of every command, for `util.parseArgs`; which command accepts which is in `ALLOWED`. */
export const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  project: { type: 'string' },
  flag: { type: 'string' },
  environment: { type: 'string', multiple: true, short: 'e' },
  rollout: { type: 'string' },
  stickiness: { type: 'string' },
  title: { type: 'string' },
  message: { type: 'string' },
  'retry-after': { type: 'string' },
  until: { type: 'string' },
  from: { type: 'string' },
  notice: { type: 'string' },
  wait: { type: 'boolean' },
  'client-token': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export type OptionName = keyof typeof OPTIONS;

const CONNECTION: OptionName[] = ['url', 'token', 'project', 'flag', 'json', 'help'];
const WAITING: OptionName[] = ['wait', 'client-token', 'timeout'];

export const ALLOWED: Readonly<Record<CommandName, ReadonlySet<OptionName>>> = {
  on: new Set([...CONNECTION, ...WAITING, 'environment', 'rollout', 'stickiness', 'title', 'message', 'retry-after', 'until', 'from', 'notice']),
  off: new Set([...CONNECTION, ...WAITING, 'environment']),
  status: new Set([...CONNECTION, 'environment']),
};
