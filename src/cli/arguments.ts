import { parseArgs } from 'node:util';
import { secondsOf } from '../duration.js';
import type { EnableOptions, MaintenanceControlOptions, WaitOptions } from '../control/index.js';
import { ALLOWED, COMMANDS, OPTIONS, type CommandName, type OptionName } from './option-spec.js';
import { UsageError } from './usage-error.js';

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
  if (command !== 'status' && environments.length === 0) {
    throw new UsageError(`--environment is required for "${command}" (repeat it for several environments)`, command);
  }
  return {
    kind: 'run',
    command,
    connection: connectionOf(values, env, command),
    environments,
    enable: enableOptionsOf(values, command),
    wait: waitOptionsOf(values, env, command),
    json: values.json === true,
  };
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

function connectionOf(values: Values, env: Environment, command: CommandName): MaintenanceControlOptions {
  const url = string(values.url) ?? env.UNLEASH_URL;
  const token = string(values.token) ?? env.UNLEASH_ADMIN_TOKEN;
  if (!url) throw new UsageError('--url is required (or set UNLEASH_URL)', command);
  if (!token) throw new UsageError('--token is required (or set UNLEASH_ADMIN_TOKEN)', command);
  const connection: MaintenanceControlOptions = { url, token };
  if (values.project !== undefined) connection.project = string(values.project);
  if (values.flag !== undefined) connection.flag = string(values.flag);
  return connection;
}

function enableOptionsOf(values: Values, command: CommandName): EnableOptions {
  const options: EnableOptions = {};
  if (values.rollout !== undefined) options.rollout = wholeNumber(values.rollout, '--rollout', 'a whole percentage from 0 to 100', command);
  if (values['retry-after'] !== undefined) options.retryAfter = retryAfterSeconds(string(values['retry-after']) ?? '', command);
  if (values.stickiness !== undefined) options.stickiness = string(values.stickiness);
  if (values.title !== undefined) options.title = string(values.title);
  if (values.message !== undefined) options.message = string(values.message);
  if (values.until !== undefined) options.until = string(values.until);
  if (values.from !== undefined) options.from = string(values.from);
  if (values.notice !== undefined) {
    if (values.from === undefined) throw new UsageError('--notice only applies with --from', command);
    options.notice = string(values.notice);
  }
  return options;
}

/** `--retry-after` is a duration (`120`, `2m`), sent as whole seconds. */
function retryAfterSeconds(text: string, command: CommandName): number {
  const seconds = secondsOf(text);
  if (seconds === undefined) throw new UsageError(`--retry-after must be a duration: whole seconds or a number with a unit, like 120 or 2m, got "${text}"`, command);
  return seconds;
}

function waitOptionsOf(values: Values, env: Environment, command: CommandName): WaitOptions | undefined {
  const given = strings(values['client-token']);
  if (!values.wait) {
    if (values.timeout !== undefined) throw new UsageError('--timeout only applies with --wait', command);
    if (given.length > 0) throw new UsageError('--client-token only applies with --wait', command);
    return undefined;
  }
  const clientTokens = given.length > 0 ? given : strings(env.UNLEASH_API_TOKEN);
  if (clientTokens.length === 0) {
    throw new UsageError('--wait needs a backend (client) token: pass --client-token or set UNLEASH_API_TOKEN', command);
  }
  const wait: WaitOptions = { clientTokens };
  if (values.timeout !== undefined) wait.timeoutMs = timeoutMs(string(values.timeout) ?? '', command);
  return wait;
}

/** `--timeout` is a duration: `30` (seconds), `90s`, `2m`. */
function timeoutMs(text: string, command: CommandName): number {
  const seconds = secondsOf(text);
  const ms = seconds === undefined ? undefined : seconds * 1000;
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds or a duration such as 90s or 2m, got "${text}"`, command);
  }
  return ms;
}

function wholeNumber(value: Values[OptionName], option: string, expected: string, command: CommandName): number {
  const text = string(value) ?? '';
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be ${expected}, got "${text}"`, command);
  return Number(text);
}

function string(value: Values[OptionName]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function strings(value: Values[OptionName] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' && value !== '' ? [value] : [];
}
