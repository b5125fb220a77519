import { forCommand, OPTION_ROWS, type CommandName, type OptionGroup, type OptionRow } from './option-table.js';

/** The prose of the help; every option line comes from the option table. */
const EXIT = `Exit status: 0 done, 1 Unleash refused, was unreachable or did not publish in time, 2 usage error.`;
const WIDTH = 98;
const TEXT_COLUMN = 25;
const NO_BREAK = '\u00a0';

const MAIN = `Usage: unleash-maintenance <on|off|status> [options]

Switches the maintenance flag read by koa-unleash-maintenance through the Unleash Admin API.

Commands:
  on       put environments, or a part of the site, into maintenance (creates the flag if missing)
  off      end maintenance, or one scope's; the strategy and its payload stay for next time
  status   show the flag's state per environment

Run "unleash-maintenance <command> --help" for the options of a command.
${EXIT}`;

/** A block of option lines: the groups it lists, under a heading or none, and a note after them. */
interface Section {
  heading?: string;
  groups: readonly OptionGroup[];
  note?: string;
}

interface Page {
  usage: string;
  intro: string;
  sections: readonly Section[];
}

const CONNECTION: Section = { heading: 'Connection:', groups: ['connection'] };
const WAITING: Section = { heading: 'Waiting:', groups: ['waiting'] };
const SCOPE_NOTE = `Repeat an option for alternatives (--path /checkout --path /cart closes both); different options
narrow each other (--path /checkout --host shop.example.com: the checkout of that host only).`;

const PAGES: Readonly<Record<CommandName, Page>> = {
  on: {
    usage: 'unleash-maintenance on --environment <env> [options]',
    intro: `Creates the flag if missing (type kill-switch), writes its maintenance strategy in each
environment and switches it on there. Running it again updates the same strategy. With --path,
--host or --property it closes only that scope, with its own window and texts, beside the others.`,
    sections: [
      { heading: 'Scope (default: the whole site):', groups: ['scope'], note: SCOPE_NOTE },
      {
        heading: 'Maintenance:',
        groups: ['target', 'maintenance'],
        note: `Durations are whole seconds (3600) or a whole number with a unit s, m, h or d (90s, 30m, 2h, 1d).
They count from now: "--from 1h --until 2h" is a one-hour window starting in an hour.`,
      },
      CONNECTION,
      WAITING,
    ],
  },
  off: {
    usage: 'unleash-maintenance off --environment <env> [options]',
    intro: `Switches the flag off in each environment. Its strategy and payload stay, so switching it
on again in the Unleash UI restores the last window. Nothing happens where it is already off.
With --path, --host or --property it ends only that scope's maintenance (named as "on" named
it): its strategy is removed, and the flag is switched off with the last one.`,
    sections: [{ groups: ['target'] }, { heading: 'Scope:', groups: ['scope'] }, CONNECTION, WAITING],
  },
  status: {
    usage: 'unleash-maintenance status [options]',
    intro: `Shows, per environment: off, scheduled (with its start and notice), on or ended (its window is
over but the switch is still on), then rollout, stickiness, title, message, retry-after, until;
with scopes, one line for each with its own window.`,
    sections: [{ groups: ['target'] }, CONNECTION],
  },
};

export function helpText(command: CommandName | undefined): string {
  return `${command ? commandHelp(command) : MAIN}\n`;
}

function commandHelp(command: CommandName): string {
  const { usage, intro, sections } = PAGES[command];
  const blocks = sections.flatMap((section) => {
    const lines = OPTION_ROWS.filter(([, row]) => row.commands.includes(command) && section.groups.includes(row.group)).map(([name, row]) =>
      optionLine(name, row, command),
    );
    if (lines.length === 0) return [];
    const block = [section.heading, ...lines].filter((line) => line !== undefined).join('\n');
    return section.note ? [block, section.note] : [block];
  });
  return [`Usage: ${usage}`, intro, ...blocks, EXIT].join('\n\n');
}

/** `  -e, --environment <env> environment to switch; repeatable (required)`, wrapped under its text column. */
function optionLine(name: string, row: OptionRow, command: CommandName): string {
  const left = `  ${row.short ? `-${row.short}, ` : ''}--${name}${row.argument ? ` ${row.argument}` : ''}`;
  return wrap(`${left.padEnd(TEXT_COLUMN - 1)} ${sentence(row, command)}`);
}

function sentence(row: OptionRow, command: CommandName): string {
  const fallback = forCommand(row.default, command);
  return [
    forCommand(row.help, command),
    row.multiple ? '; repeatable' : '',
    row.required?.includes(command) ? ' (required)' : '',
    row.env ? ` ${unbroken(`(env ${row.env})`)}` : '',
    fallback ? ` ${unbroken(`(default: ${fallback})`)}` : '',
  ].join('');
}

/** A parenthesis the wrapping keeps on one line. */
function unbroken(text: string): string {
  return text.replaceAll(' ', NO_BREAK);
}

/** Greedy wrapping at `WIDTH`; continuation lines start at the text column. */
function wrap(line: string): string {
  const lines: string[] = [];
  let rest = line;
  while (rest.length > WIDTH) {
    const cut = rest.lastIndexOf(' ', WIDTH);
    if (cut <= TEXT_COLUMN) break;
    lines.push(rest.slice(0, cut));
    rest = `${' '.repeat(TEXT_COLUMN)}${rest.slice(cut + 1)}`;
  }
  return [...lines, rest].join('\n').replaceAll(NO_BREAK, ' ');
}
