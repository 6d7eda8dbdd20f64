import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cap, ConfigError } from '../spec/errors.js';
import { COMMAND_HELP, MAIN_HELP } from './help.js';
import { type CliIo, EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError } from './io.js';

const FLAGS = {
  generate: {
    config: { type: 'string', short: 'c' },
    out: { type: 'string', short: 'o' },
    check: { type: 'boolean' },
    'time-scale': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  check: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  init: { service: { type: 'string', short: 's' }, help: { type: 'boolean', short: 'h' } },
  dev: {
    config: { type: 'string', short: 'c' },
    bundle: { type: 'string' },
    rps: { type: 'string' },
    'no-load': { type: 'boolean' },
    target: { type: 'string', multiple: true },
    webhook: { type: 'string' },
    'scrape-interval': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  verify: {
    config: { type: 'string', short: 'c' },
    prometheus: { type: 'string' },
    alertmanager: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
} as const;

type Command = keyof typeof FLAGS;

/** Runs one obs command; returns the exit code. Never throws: every failure becomes a message. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.out(MAIN_HELP);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command === '-v' || command === '--version') {
      io.out(version());
      return EXIT_OK;
    }
    if (!(command in FLAGS)) throw new UsageError(`unknown command "${cap(command)}"`);
    const name = command as Command;
    const { values, positionals } = parseFlags(name, rest);
    if (values.help) {
      io.out(COMMAND_HELP[name]!);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${cap(positionals[0]!)}"`);
    // Loaded on demand: --help and --version start without the schema, the parsers or the generators.
    if (name === 'verify') return await (await import('./verify-command.js')).verifyCommand(io, values);
    const { checkCommand, generateCommand, initCommand } = await import('./commands.js');
    if (name === 'generate') return await generateCommand(io, values);
    if (name === 'check') return await checkCommand(io, values);
    if (name === 'dev') return await (await import('./dev-command.js')).devCommand(io, values as import('./dev-command.js').DevFlags);
    return initCommand(io, values);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return EXIT_INVALID;
    }
    if (error instanceof UsageError) {
      io.err(`obs: ${error.message}`);
      io.err(command && command in COMMAND_HELP ? COMMAND_HELP[command]! : MAIN_HELP);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`obs: internal error: ${cap(message)}`);
    if (process.env.OBS_DEBUG && error instanceof Error) io.err(error.stack ?? '');
    else io.err('(set OBS_DEBUG=1 for details, and please report it)');
    return EXIT_INVALID;
  }
}

function parseFlags(command: Command, args: string[]) {
  try {
    return parseArgs({ args, options: FLAGS[command], allowPositionals: true, strict: true }) as {
      values: { config?: string; out?: string; check?: boolean; 'time-scale'?: string; service?: string; help?: boolean; prometheus?: string; alertmanager?: string; json?: boolean };
      positionals: string[];
    };
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/'[^']{81,}'/g, (quoted) => `'${cap(quoted.slice(1, -1))}'`));
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
