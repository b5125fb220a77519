import { ControlInputError, MaintenanceControl, UnleashError, type EnvironmentStatus, type ScopeOptions } from '../control/index.js';
import { parseCliArguments, UsageError, type CliRequest, type Environment } from './arguments.js';
import { formatEnvironments, formatFlagStatus } from './format-status.js';
import { helpText } from './help.js';
import { createRedactor, secretsIn } from './redact.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Environment;
}

const PROGRAM = 'unleash-maintenance';

const EXIT_DONE = 0;
/** Unleash refused, could not be reached, or did not publish the change in time. */
const EXIT_UNLEASH_FAILED = 1;
const EXIT_USAGE = 2;

/** Runs the command and returns its exit status; prints nothing that contains a token. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const redact = createRedactor(secretsIn(argv, io.env));
  const out = (text: string) => io.stdout.write(redact(text));
  const fail = (text: string) => io.stderr.write(redact(`${PROGRAM}: ${text}\n`));
  let request: CliRequest | undefined;
  try {
    request = parseCliArguments(argv, io.env);
    if (request.kind === 'help') {
      out(helpText(request.command));
      return EXIT_DONE;
    }
    out(await execute(request));
    return EXIT_DONE;
  } catch (error) {
    return reportFailure(error, request, fail);
  }
}

type RunRequest = Extract<CliRequest, { kind: 'run' }>;

async function execute(request: RunRequest): Promise<string> {
  const control = new MaintenanceControl(request.connection);
  if (request.command === 'status') {
    const status = await control.status(request.environments.length > 0 ? request.environments : undefined);
    return request.json ? json(status) : `${formatFlagStatus(status)}\n`;
  }
  const environments =
    request.command === 'on'
      ? await control.enable(request.environments, { ...request.enable, ...scoped(request), wait: request.wait })
      : await control.disable(request.environments, { ...scoped(request), wait: request.wait });
  if (request.json) return json({ project: control.project, flag: control.flag, exists: true, served: Boolean(request.wait), environments });
  return summary(request, control, environments);
}

function scoped(request: RunRequest): { scope?: ScopeOptions } {
  return request.scope ? { scope: request.scope } : {};
}

function summary(request: RunRequest, control: MaintenanceControl, environments: EnvironmentStatus[]): string {
  const heading = `Maintenance ${request.command} for flag "${control.flag}" in project "${control.project}":`;
  const served = request.wait ? 'Unleash serves the change to SDKs now.\n' : '';
  return `${heading}\n${formatEnvironments(environments)}\n${served}`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function reportFailure(error: unknown, request: CliRequest | undefined, fail: (text: string) => void): number {
  if (error instanceof UsageError) {
    fail(`${error.message}\nRun "${PROGRAM}${error.command ? ` ${error.command}` : ''} --help" for usage.`);
    return EXIT_USAGE;
  }
  if (error instanceof ControlInputError) {
    const command = request?.kind === 'run' ? ` ${request.command}` : '';
    fail(`${optionFlag(error.option)} ${error.problem}\nRun "${PROGRAM}${command} --help" for usage.`);
    return EXIT_USAGE;
  }
  if (error instanceof UnleashError) {
    fail(error.message);
    return EXIT_UNLEASH_FAILED;
  }
  fail(`unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT_UNLEASH_FAILED;
}

/** `retryAfter` → `--retry-after`; `wait.clientTokens` → `--client-token`; `scope.paths[1]` → `--path`. */
function optionFlag(option: string): string {
  if (option === 'wait.clientTokens') return '--client-token';
  const scope = /^scope\.(paths|hosts|properties)(?:\.([^[]+))?(?:\[\d+\])?$/.exec(option);
  if (scope) return scope[1] === 'properties' ? `--property${scope[2] ? ` ${scope[2]}` : ''}` : `--${scope[1]!.slice(0, -1)}`;
  return `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
