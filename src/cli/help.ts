import type { CommandName } from './option-spec.js';

const CONNECTION = `Connection:
  --url <url>            Unleash base URL (env UNLEASH_URL)
  --token <token>        admin API token or personal access token (env UNLEASH_ADMIN_TOKEN)
  --project <id>         project of the flag (default: default)
  --flag <name>          flag name (default: maintenance-mode)
  --json                 print the result as JSON
  -h, --help             show this help`;

const WAITING = `Waiting:
  --wait                 after the change, poll the client API until Unleash serves it
  --client-token <token> backend (client) token, one per environment changed; repeatable
                         (env UNLEASH_API_TOKEN)
  --timeout <duration>   give up waiting after this long: seconds, or 90s, 2m (default: 30)`;

const EXIT = `Exit status: 0 done, 1 Unleash refused, was unreachable or did not publish in time, 2 usage error.`;

const MAIN = `Usage: unleash-maintenance <on|off|status> [options]

Switches the maintenance flag read by koa-unleash-maintenance through the Unleash Admin API.

Commands:
  on       put environments into maintenance (creates the flag if missing)
  off      end maintenance; the strategy and its payload stay for next time
  status   show the flag's state per environment

Run "unleash-maintenance <command> --help" for the options of a command.
${EXIT}`;

const ON = `Usage: unleash-maintenance on --environment <env> [options]

Creates the flag if missing (type kill-switch), writes its maintenance strategy in each
environment and switches it on there. Running it again updates the same strategy.

Maintenance:
  -e, --environment <env> environment to switch; repeatable (required)
  --rollout <0-100>      percentage of requests in maintenance (default: 100)
  --stickiness <field>   default, userId, sessionId, random or a context field (default with a
                         --rollout below 100: remoteAddress, the client IP, so the same visitor
                         address gets the same answer on every request; visitors behind one NAT
                         share it)
  --title <text>         heading of the maintenance page
  --message <text>       text of the maintenance page and of the problem+json detail
  --retry-after <duration> Retry-After header, sent in whole seconds
  --until <time>         end of maintenance: ISO 8601 time or a duration from now (3600, 30m, 2h);
                         a DATE_BEFORE constraint on currentTime ends it even without "off"
  --from <time>          start of a scheduled window: ISO 8601 time or a duration from now; a
                         DATE_AFTER constraint on currentTime (a time already past starts at once)
  --notice <duration>    with --from: how long before it apps announce the window: 30m, 24h, 7d
                         or seconds (default: 24h)

Durations are whole seconds (3600) or a whole number with a unit s, m, h or d (90s, 30m, 2h, 1d).
They count from now: "--from 1h --until 2h" is a one-hour window starting in an hour.

${CONNECTION}

${WAITING}

${EXIT}`;

const OFF = `Usage: unleash-maintenance off --environment <env> [options]

Switches the flag off in each environment. Its strategy and payload stay, so switching it
on again in the Unleash UI restores the last window. Nothing happens where it is already off.

  -e, --environment <env> environment to switch; repeatable (required)

${CONNECTION}

${WAITING}

${EXIT}`;

const STATUS = `Usage: unleash-maintenance status [options]

Shows, per environment: off, scheduled (with its start and notice), on or ended (its window is
over but the switch is still on), then rollout, stickiness, title, message, retry-after, until.

  -e, --environment <env> environment to show; repeatable (default: all of the project's)

${CONNECTION}

${EXIT}`;

const HELP: Readonly<Record<CommandName, string>> = { on: ON, off: OFF, status: STATUS };

export function helpText(command: CommandName | undefined): string {
  return `${command ? HELP[command] : MAIN}\n`;
}
