// The `governess` command line. Each command is one entry in COMMANDS; unknown commands and bad arguments get a
// clear message on stderr and exit code 2, so scripts can tell usage errors from failures (exit code 1).
import { runMinimalScenario } from '../../governors/minimal/index.js';
import type { CliIo } from './io.js';
import { runExport } from './export-command.js';
import { runVerify } from './verify-command.js';

export type { CliIo } from './io.js';

interface Command {
  readonly summary: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  demo: {
    summary: "run the seed's minimal 3-signal governor scenario and print each transition",
    run: (args, io) =>
      args.length > 0 ? usageError(io, `demo takes no arguments`) : runMinimalScenario(io.out),
  },
  verify: {
    summary: 'verify an export, a database or one receipt proof (governess verify --help)',
    run: (args, io) => runVerify(args, io),
  },
  export: {
    summary: 'write the non-verifiable CSV projection of a ledger database (governess export --help)',
    run: (args, io) => runExport(args, io),
  },
  help: {
    summary: 'show this help',
    run: (_args, io) => {
      io.out(usage());
      return Promise.resolve(0);
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: governess <command> [arguments]', '', 'commands:', ...lines].join('\n');
}

function usageError(io: CliIo, message: string): Promise<number> {
  io.err(`governess: ${message}`);
  io.err(usage());
  return Promise.resolve(2);
}

const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Runs the CLI with `argv` (without node and script); resolves with the process exit code. */
export async function main(argv: readonly string[], io: CliIo = consoleIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') return COMMANDS.help!.run([], io);
  const command = COMMANDS[name];
  if (command === undefined) return usageError(io, `unknown command '${name}'`);
  return command.run(rest, io);
}
