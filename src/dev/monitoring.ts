import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './dependencies.js';
import type { ProcessGroup } from './processes.js';

/** Prometheus and Alertmanager (Debian packages) on free 127.0.0.1 ports, with the config files given. */

export interface StartOptions {
  /** A port reserved beforehand (e.g. one the config already names); a free one otherwise. */
  readonly port?: number;
  readonly args?: readonly string[];
}

export interface Started {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
}

/** Prometheus with `config`, its TSDB in `dir`/prometheus-data; resolves once /-/ready answers. */
export async function startPrometheus(group: ProcessGroup, dir: string, config: string, options: StartOptions = {}): Promise<Started> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = group.start('prometheus', 'prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle', // POST /-/reload after a config change
    '--log.level=warn',
    ...(options.args ?? []),
  ]);
  await group.waitFor(`${url}/-/ready`, () => true, child);
  return { url, port, process: child };
}

/** Alertmanager with `config`, not clustered, its state in `dir`/alertmanager-data; resolves once ready. */
export async function startAlertmanager(group: ProcessGroup, dir: string, config: string, options: StartOptions = {}): Promise<Started> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const storage = join(dir, 'alertmanager-data');
  mkdirSync(storage, { recursive: true });
  const child = group.start('alertmanager', 'prometheus-alertmanager', [
    `--config.file=${config}`,
    `--storage.path=${storage}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=', // a single instance: no gossip port
    ...(options.args ?? []),
  ]);
  await group.waitFor(`${url}/-/ready`, () => true, child);
  return { url, port, process: child };
}
