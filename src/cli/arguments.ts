import { parseArgs } from 'node:util';
import type { EnableOptions, MaintenanceControlOptions, ScopeOptions, WaitOptions } from '../control/index.js';
import { secondsOf } from '../flag/duration.js';
import { ALLOWED, COMMANDS, OPTION_ROWS, OPTION_TABLE, OPTIONS, type CommandName, type OptionName, type OptionRow } from './option-table.js';

/** The command line itself is wrong (exit status 2). `command` picks the help to point to. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

export type CliRequest =
  | { kind: 'help'; command: CommandName | undefined }
  | {
      kind: 'run';
      command: CommandName;
      connection: MaintenanceControlOptions;
      /** Empty for `status` without `--environment`: every environment of the project. */
      environments: string[];
      enable: EnableOptions;
      /** `--path`, `--host`, `--property` of `on` and `off`; `undefined`: the whole site. */
      scope?: ScopeOptions;
      wait: WaitOptions | undefined;
      json: boolean;
    };

type Values = { [name in OptionName]?: string | boolean | string[] };

/** Turns argv (without `node` and the script) and the environment into one request, or throws a `UsageError`. */
export function parseCliArguments(argv: readonly string[], env: Environment): CliRequest {
  const { values, positionals } = parseStrictly(argv);
  const [first, ...rest] = positionals;
  if (first === 'help' || (first === undefined && values.help)) return { kind: 'help', command: helpTopic(rest[0]) };
  if (first === undefined) throw new UsageError('a command is required: on, off or status');
  const command = commandNamed(first);
  if (values.help) return { kind: 'help', command };
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`, command);
  rejectForeignOptions(command, values);
  const environments = strings(values.environment);
  if (environments.length === 0 && (OPTION_TABLE.environment.required as readonly string[]).includes(command)) {
    throw new UsageError(`--environment is required for "${command}" (repeat it for several environments)`, command);
  }
  const connection = connectionOf(values, env, command);
  const enable = enableOptionsOf(values, command);
  rejectUnmetNeeds(values, command);
  const scope = scopeOf(values, command);
  const wait = waitOptionsOf(values, env, command);
  return { kind: 'run', command, connection, environments, enable, ...(scope ? { scope } : {}), wait, json: values.json === true };
}

function parseStrictly(argv: readonly string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (error) {
    // Node's message for an unknown option goes on about positionals; the first sentence says it.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1), commandIn(argv));
  }
}

function commandIn(argv: readonly string[]): CommandName | undefined {
  return COMMANDS.find((command) => argv.includes(command));
}

function helpTopic(name: string | undefined): CommandName | undefined {
  return name === undefined ? undefined : commandNamed(name);
}

function commandNamed(name: string): CommandName {
  if ((COMMANDS as readonly string[]).includes(name)) return name as CommandName;
  throw new UsageError(`unknown command "${name}": use on, off or status`);
}

function rejectForeignOptions(command: CommandName, values: Values): void {
  const foreign = (Object.keys(values) as OptionName[]).find((name) => !ALLOWED[command].has(name));
  if (foreign) throw new UsageError(`--${foreign} does not apply to "${command}"`, command);
}

/** `--notice` without `--from`, `--timeout` without `--wait`: the first such option on the command line. */
function rejectUnmetNeeds(values: Values, command: CommandName): void {
  for (const name of Object.keys(values) as OptionName[]) {
    const needs = (OPTION_TABLE[name] as OptionRow).needs as OptionName | undefined;
    if (needs && values[needs] === undefined) throw new UsageError(`--${name} only applies with --${needs}`, command);
  }
}

function connectionOf(values: Values, env: Environment, command: CommandName): MaintenanceControlOptions {
  const url = string(values.url) ?? env[OPTION_TABLE.url.env];
  const token = string(values.token) ?? env[OPTION_TABLE.token.env];
  if (!url) throw new UsageError(`--url is required (or set ${OPTION_TABLE.url.env})`, command);
  if (!token) throw new UsageError(`--token is required (or set ${OPTION_TABLE.token.env})`, command);
  const connection: MaintenanceControlOptions = { url, token };
  if (values.project !== undefined) connection.project = string(values.project);
  if (values.flag !== undefined) connection.flag = string(values.flag);
  return connection;
}

/** Every `on` option with an `enable` field in the table, read as the table says. */
function enableOptionsOf(values: Values, command: CommandName): EnableOptions {
  const options: Record<string, unknown> = {};
  for (const [name, { enable }] of OPTION_ROWS) {
    const text = string(values[name]);
    if (enable === undefined || text === undefined) continue;
    const value = READERS[enable.read](text);
    if (value === undefined) throw new UsageError(`--${name} must be ${enable.expected}, got "${text}"`, command);
    options[enable.field] = value;
  }
  return options as EnableOptions;
}

/** The scope rows' values; `--property tenant=acme` is `{ tenant: ['acme'] }`. */
function scopeOf(values: Values, command: CommandName): ScopeOptions | undefined {
  const scope: { paths?: string[]; hosts?: string[]; properties?: Record<string, string[]> } = {};
  for (const [name, row] of OPTION_ROWS) {
    const given = strings(values[name]);
    if (row.scope === undefined || given.length === 0) continue;
    if (row.scope === 'properties') scope.properties = propertiesOf(given, command);
    else scope[row.scope] = given;
  }
  return Object.keys(scope).length > 0 ? scope : undefined;
}

function propertiesOf(pairs: readonly string[], command: CommandName): Record<string, string[]> {
  const properties: Record<string, string[]> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0 || equals === pair.length - 1) throw new UsageError(`--property must be name=value, such as tenant=acme, got "${pair}"`, command);
    const name = pair.slice(0, equals).trim();
    (properties[name] ??= []).push(pair.slice(equals + 1));
  }
  return properties;
}

const READERS: Readonly<Record<NonNullable<OptionRow['enable']>['read'], (text: string) => string | number | undefined>> = {
  text: (text) => text,
  'whole-number': (text) => (/^\d+$/.test(text) ? Number(text) : undefined),
  duration: secondsOf,
};

function waitOptionsOf(values: Values, env: Environment, command: CommandName): WaitOptions | undefined {
  if (!values.wait) return undefined;
  const given = strings(values['client-token']);
  const clientTokens = given.length > 0 ? given : strings(env[OPTION_TABLE['client-token'].env]);
  if (clientTokens.length === 0) {
    throw new UsageError(`--wait needs a backend (client) token: pass --client-token or set ${OPTION_TABLE['client-token'].env}`, command);
  }
  const wait: WaitOptions = { clientTokens };
  if (values.timeout !== undefined) wait.timeoutMs = timeoutMs(string(values.timeout) ?? '', command);
  return wait;
}

/** `--timeout` is a duration: `30` (seconds), `90s`, `2m`. */
function timeoutMs(text: string, command: CommandName): number {
  const seconds = secondsOf(text);
  if (seconds === undefined || seconds <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds or a duration such as 90s or 2m, got "${text}"`, command);
  }
  return seconds * 1000;
}

function string(value: Values[OptionName]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function strings(value: Values[OptionName] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' && value !== '' ? [value] : [];
}
