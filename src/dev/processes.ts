import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The local processes of `obs dev` and of the live tests: each in its own process group (so stopping it
 * also ends what it forked), optionally under `timeout` (so none outlives a crashed test run), its
 * output kept for the error that explains why it never became ready.
 */

/** The Debian package that ships each binary we start, for the "install it" message. */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  'prometheus-node-exporter': 'prometheus-node-exporter',
  'prometheus-postgres-exporter': 'prometheus-postgres-exporter',
  'prometheus-redis-exporter': 'prometheus-redis-exporter',
  'prometheus-nginx-exporter': 'prometheus-nginx-exporter',
  'prometheus-blackbox-exporter': 'prometheus-blackbox-exporter',
  'redis-server': 'redis-server',
  nginx: 'nginx-light',
  postgres: 'postgresql',
  initdb: 'postgresql',
  openssl: 'openssl',
};

export class MissingBinaryError extends Error {
  constructor(readonly binary: string) {
    const pkg = DEBIAN_PACKAGES[binary];
    super(`${binary} is not installed${pkg ? `: install the Debian package ${pkg} (apt-get install ${pkg})` : ''}`);
  }
}

/** The absolute path of an executable on PATH (plus the sbin directories nginx lives in), or undefined. */
export function findBinary(name: string, path = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  const dirs = [...path.split(delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ProcessGroupOptions {
  /** Run every process under `timeout -k 5 <seconds>`: a bound for tests, none for `obs dev`. */
  readonly limitSeconds?: number;
  /** How long `waitFor` polls before giving up (a bound, never an assertion). */
  readonly readyWithinMs?: number;
}

const OUTPUT_KEPT = 4000;

export class ProcessGroup {
  readonly #processes: ChildProcess[] = [];
  readonly #output = new Map<ChildProcess, string>();
  readonly #names = new Map<ChildProcess, string>();

  constructor(private readonly options: ProcessGroupOptions = {}) {}

  /** Starts `command` (throws MissingBinaryError, naming the Debian package, when it is not installed). */
  start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const binary = findBinary(command);
    if (!binary) throw new MissingBinaryError(command);
    const limit = this.options.limitSeconds;
    const [file, argv] = limit === undefined ? [binary, [...args]] : ['timeout', ['-k', '5', String(limit), binary, ...args]];
    const child = spawn(file, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.#output.set(child, '');
    this.#names.set(child, name);
    const keep = (chunk: Buffer) => this.#output.set(child, (this.#output.get(child)! + chunk.toString()).slice(-OUTPUT_KEPT));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('error', (error) => keep(Buffer.from(`\n${name}: ${error.message}`)));
    this.#processes.push(child);
    return child;
  }

  /** The last few kilobytes a process wrote, for error messages. */
  output(child: ChildProcess): string {
    return this.#output.get(child) ?? '';
  }

  /** The process id of every process started: each leads its own process group (`kill -<pid>` ends it all). */
  pids(): number[] {
    return this.#processes.flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  }

  /** The processes still running, by name. */
  running(): string[] {
    return this.#processes.filter(isRunning).map((c) => this.#names.get(c)!);
  }

  /** Polls `url` until its body satisfies `ready`; returns that body, or fails with the process's output. */
  async waitFor(url: string, ready: (body: string) => boolean, child: ChildProcess): Promise<string> {
    const deadline = Date.now() + (this.options.readyWithinMs ?? 60_000);
    let last = '';
    while (Date.now() < deadline && isRunning(child)) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        last = await response.text();
        if (response.ok && ready(last)) return last;
      } catch (error) {
        last = String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const why = isRunning(child) ? 'never became ready' : `exited (${child.exitCode ?? child.signalCode})`;
    throw new Error(`${this.#names.get(child)} ${why} (${url}); last answer: ${last.slice(0, 500)}\nits output:\n${this.output(child)}`);
  }

  /** SIGTERM to each process group, SIGKILL to any still there after `graceMs`; resolves when all exited. */
  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all(this.#processes.filter(isRunning).map((child) => stop(child, graceMs)));
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

function stop(child: ChildProcess, graceMs: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => signal('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    signal('SIGTERM');
  });
}
