import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { run } from '../src/cli/run.js';

export const ROOT = join(import.meta.dirname, '..');

export function tempDir(prefix = 'obs-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the CLI in-process, as a user would from `cwd`. */
export async function runCli(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Every file under `dir`, as sorted relative paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Runs promtool; returns its combined output, throwing with that output when it fails. */
export function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

const execAsync = promisify(execFile);

/** promtool without blocking the test's event loop (for parallel runs); throws with its output when it fails. */
export async function promtoolAsync(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await execAsync('promtool', args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/** A generated rule file as an object: SLO rule files come as YAML text (rendered directly for speed). */
export function ruleFileOf(file: { readonly content: unknown }): import('../src/generate/prometheus/rule-types.js').PrometheusRuleFile {
  return (typeof file.content === 'string' ? parseYaml(file.content) : file.content) as import('../src/generate/prometheus/rule-types.js').PrometheusRuleFile;
}

/** A TCP port free on 127.0.0.1 right now, for a server a live test starts. */
export { freePort } from '../src/dev/dependencies.js';
