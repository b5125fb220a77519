import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_FLAG_NAME, DEFAULT_PROJECT, type EnableOptions } from '../control/index.js';

export const COMMANDS = ['on', 'off', 'status'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Where the help lists an option: `target` is the command's own argument, the others have a heading each. */
export type OptionGroup = 'target' | 'scope' | 'maintenance' | 'connection' | 'waiting';

/** How an `on` option's text becomes its `EnableOptions` field (`text`: as typed, for MaintenanceControl to read). */
export type Reading = 'text' | 'whole-number' | 'duration';

/** One row of the table: everything the command knows about one option. */
export interface OptionRow {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Repeatable; the help says so. */
  readonly multiple?: boolean;
  readonly commands: readonly CommandName[];
  readonly group: OptionGroup;
  /** The placeholder after the option in the help: `<url>`. */
  readonly argument?: string;
  /** What the help says of it, per command where that differs. */
  readonly help: string | Readonly<Partial<Record<CommandName, string>>>;
  /** The variable read when the option is absent; the help names it. */
  readonly env?: string;
  /** The help's `(default: …)`, per command where that differs. */
  readonly default?: string | Readonly<Partial<Record<CommandName, string>>>;
  /** The commands that refuse to run without it. */
  readonly required?: readonly CommandName[];
  /** The option it only applies with: `--notice` needs `--from`. */
  readonly needs?: string;
  /** Its value is a token: hidden in everything printed, even when the command line does not parse. */
  readonly secret?: boolean;
  /** A scope option of `on` and `off`: the `ScopeOptions` field it fills. */
  readonly scope?: 'paths' | 'hosts' | 'properties';
  /** An `on` option: the `EnableOptions` field it fills, how its text is read and, if that can fail, what it must be. */
  readonly enable?: { readonly field: keyof EnableOptions; readonly read: Reading; readonly expected?: string };
}

const ALL = COMMANDS;
const CHANGES = ['on', 'off'] as const;
const ON = ['on'] as const;

/**
 * Every option of every command, in the order the help lists them. `util.parseArgs`'s options, which command
 * accepts which (`ALLOWED`), the option lines of the help, what `on` passes to `enable()`, the options that
 * only apply with another and the secrets to hide are all read from here: a new option is one new row.
 */
export const OPTION_TABLE = {
  environment: {
    type: 'string', short: 'e', multiple: true, commands: ALL, group: 'target', argument: '<env>',
    help: { on: 'environment to switch', off: 'environment to switch', status: 'environment to show' },
    required: CHANGES, default: { status: "all of the project's" },
  },
  path: {
    type: 'string', multiple: true, commands: CHANGES, group: 'scope', argument: '<path>', scope: 'paths',
    help: {
      on: 'close only this area: /checkout closes /checkout and everything below it, in any case, with or without a trailing slash (every spelling @koa/router and koa-mount serve from it), and not /checkouts',
      off: 'end only the maintenance of the scope named by --path, --host and --property',
    },
  },
  host: {
    type: 'string', multiple: true, commands: CHANGES, group: 'scope', argument: '<name>', scope: 'hosts',
    help: { on: 'close only this host name, e.g. api.example.com (no port; any case, a trailing dot or a port in Host is the same host)', off: 'see --path' },
  },
  property: {
    type: 'string', multiple: true, commands: CHANGES, group: 'scope', argument: '<name=value>', scope: 'properties',
    help: { on: "close only requests whose Unleash context has this property value, e.g. tenant=acme (the app's context(ctx) option supplies it)", off: 'see --path' },
  },
  rollout: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<0-100>',
    help: 'percentage of requests in maintenance', default: '100',
    enable: { field: 'rollout', read: 'whole-number', expected: 'a whole percentage from 0 to 100' },
  },
  stickiness: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<field>',
    help: 'default, userId, sessionId, random or a context field (default with a --rollout below 100: remoteAddress, the client IP, so the same visitor address gets the same answer on every request; visitors behind one NAT share it)',
    enable: { field: 'stickiness', read: 'text' },
  },
  title: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<text>',
    help: 'heading of the maintenance page', enable: { field: 'title', read: 'text' },
  },
  message: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<text>',
    help: 'text of the maintenance page and of the problem+json detail', enable: { field: 'message', read: 'text' },
  },
  area: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<text>',
    help: 'with a scope: what pages still open call the closed part, as in "Checkout is closed for maintenance until 22:00 UTC" (default: its paths and hosts)',
    enable: { field: 'area', read: 'text' },
  },
  'retry-after': {
    type: 'string', commands: ON, group: 'maintenance', argument: '<duration>',
    help: 'Retry-After header, sent in whole seconds',
    enable: { field: 'retryAfter', read: 'duration', expected: 'a duration: whole seconds or a number with a unit, like 120 or 2m' },
  },
  until: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<time>',
    help: 'end of maintenance: ISO 8601 time or a duration from now (3600, 30m, 2h); a DATE_BEFORE constraint on currentTime ends it even without "off"',
    enable: { field: 'until', read: 'text' },
  },
  from: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<time>',
    help: 'start of a scheduled window: ISO 8601 time or a duration from now; a DATE_AFTER constraint on currentTime (a time already past starts at once)',
    enable: { field: 'from', read: 'text' },
  },
  notice: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<duration>',
    help: 'with --from: how long before it apps announce the window: 30m, 24h, 7d or seconds', default: '24h',
    needs: 'from', enable: { field: 'notice', read: 'text' },
  },
  mode: {
    type: 'string', commands: ON, group: 'maintenance', argument: '<mode>',
    help: "block, read-only (reads pass, writes get the 503) or pause (requests wait up to --max-pause for the site, then get the 503); over every app's mode option",
    enable: { field: 'mode', read: 'text' },
  },
  'max-pause': {
    type: 'string', commands: ON, group: 'maintenance', argument: '<duration>',
    help: "with --mode pause: how long apps hold a request at most, 1s to 60s (default: each app's maxPause, 10s unless set)",
    needs: 'mode', enable: { field: 'maxPause', read: 'text' },
  },
  url: { type: 'string', commands: ALL, group: 'connection', argument: '<url>', help: 'Unleash base URL', env: 'UNLEASH_URL' },
  token: {
    type: 'string', commands: ALL, group: 'connection', argument: '<token>',
    help: 'admin API token or personal access token', env: 'UNLEASH_ADMIN_TOKEN', secret: true,
  },
  project: { type: 'string', commands: ALL, group: 'connection', argument: '<id>', help: 'project of the flag', default: DEFAULT_PROJECT },
  flag: { type: 'string', commands: ALL, group: 'connection', argument: '<name>', help: 'flag name', default: DEFAULT_FLAG_NAME },
  json: { type: 'boolean', commands: ALL, group: 'connection', help: 'print the result as JSON' },
  help: { type: 'boolean', short: 'h', commands: ALL, group: 'connection', help: 'show this help' },
  wait: { type: 'boolean', commands: CHANGES, group: 'waiting', help: 'after the change, poll the client API until Unleash serves it' },
  'client-token': {
    type: 'string', multiple: true, commands: CHANGES, group: 'waiting', argument: '<token>',
    help: 'backend (client) token, one per environment changed', env: 'UNLEASH_API_TOKEN', needs: 'wait', secret: true,
  },
  timeout: {
    type: 'string', commands: CHANGES, group: 'waiting', argument: '<duration>',
    help: 'give up waiting after this long: seconds, or 90s, 2m', default: '30', needs: 'wait',
  },
} as const satisfies Readonly<Record<string, OptionRow>>;

export type OptionName = keyof typeof OPTION_TABLE;

/** The rows in table order, typed as rows. */
export const OPTION_ROWS = Object.entries(OPTION_TABLE) as readonly (readonly [OptionName, OptionRow])[];

/** Every option of every command, for `util.parseArgs`; which command accepts which is in `ALLOWED`. */
export const OPTIONS: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
  OPTION_ROWS.map(([name, { type, short, multiple }]) => [name, { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) }]),
);

const optionsOf = (command: CommandName): ReadonlySet<OptionName> =>
  new Set(OPTION_ROWS.filter(([, row]) => row.commands.includes(command)).map(([name]) => name));

export const ALLOWED: Readonly<Record<CommandName, ReadonlySet<OptionName>>> = { on: optionsOf('on'), off: optionsOf('off'), status: optionsOf('status') };

/** A per-command text of a row (its help or default) for one command. */
export function forCommand(text: OptionRow['help'] | OptionRow['default'], command: CommandName): string | undefined {
  return typeof text === 'string' || text === undefined ? text : text[command];
}
