import { type ChildProcess, execFileSync } from 'node:child_process';
import { chownSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { MissingBinaryError, type ProcessGroup } from './processes.js';

/**
 * The servers a service depends on and their standard exporters (Debian packages), each on free
 * 127.0.0.1 ports: what `obs dev` runs next to the service and what the live tests scrape.
 */

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const local = (port: number) => `127.0.0.1:${port}`;

export interface Exported {
  /** The server's own port (absent for exporters that watch no server of ours). */
  readonly port?: number;
  readonly exporterPort: number;
  /** The exporter's scrape when it first reported the server up. */
  readonly scrape: string;
  /** The server's process (to stop it and watch its exporter notice). */
  readonly server?: ChildProcess;
}

/** The newest PostgreSQL Debian installed (/usr/lib/postgresql/<version>/bin). */
function postgresBin(): string {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    // not installed
  }
  if (versions.length === 0) throw new MissingBinaryError('postgres');
  return join('/usr/lib/postgresql', versions[0]!, 'bin');
}

/** PostgreSQL in `dir` (a fresh cluster, trust auth) and postgres_exporter. */
export async function startPostgres(group: ProcessGroup, dir: string): Promise<Exported & { readonly url: string }> {
  const bin = postgresBin();
  // PostgreSQL refuses to run as root: then it runs as the postgres user in a directory it owns.
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asPostgres.length) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), -1);
  const as = (argv: string[]): [string, string[]] => (asPostgres.length ? [asPostgres[0]!, [...asPostgres.slice(1), ...argv]] : [argv[0]!, argv.slice(1)]);
  const data = join(dir, 'data');
  const [initdb, initArgs] = as([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres']);
  execFileSync(initdb, initArgs, { stdio: 'pipe', timeout: 120_000 });
  const port = await freePort();
  const [postgres, args] = as([join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1']);
  const server = group.start('postgres', postgres, args);

  // The pg_replication query of Debian's example queries.yaml: pg_replication_lag on exporters < 0.13.
  const queries = join(dir, 'queries.yaml');
  writeFileSync(
    queries,
    [
      'pg_replication:',
      '  query: "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 ELSE GREATEST (0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) END AS lag"',
      '  master: true',
      '  metrics:',
      '    - lag:',
      '        usage: "GAUGE"',
      '        description: "Replication lag behind master in seconds"',
      '',
    ].join('\n'),
  );
  const url = `postgresql://postgres@${local(port)}/postgres?sslmode=disable`;
  const exporterPort = await freePort();
  const exporter = group.start('postgres_exporter', 'prometheus-postgres-exporter', [`--web.listen-address=${local(exporterPort)}`, `--extend.query-path=${queries}`], {
    DATA_SOURCE_NAME: url,
  });
  const scrape = await group.waitFor(`http://${local(exporterPort)}/metrics`, (t) => /^pg_up(\{[^}]*\})? 1$/m.test(t) && /^pg_stat_database_deadlocks\{/m.test(t), exporter);
  return { port, exporterPort, scrape, url, server };
}

/** redis-server (no persistence; a maxmemory, so "used / maxmemory" has a denominator) and redis_exporter. */
export async function startRedis(group: ProcessGroup): Promise<Exported & { readonly url: string }> {
  const port = await freePort();
  const server = group.start('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '64mb']);
  const url = `redis://${local(port)}`;
  const exporterPort = await freePort();
  const exporter = group.start('redis_exporter', 'prometheus-redis-exporter', ['-redis.addr', url, '-web.listen-address', local(exporterPort)]);
  const scrape = await group.waitFor(`http://${local(exporterPort)}/metrics`, (t) => /^redis_up 1$/m.test(t), exporter);
  return { port, exporterPort, scrape, url, server };
}

/** nginx serving `200 ok` and its stub_status, and nginx-prometheus-exporter. */
export async function startNginx(group: ProcessGroup, dir: string): Promise<Exported> {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const temp = (name: string) => join(dir, name);
  writeFileSync(
    conf,
    `daemon off;
pid ${temp('nginx.pid')};
error_log stderr;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${temp('body')}; proxy_temp_path ${temp('proxy')}; fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')}; scgi_temp_path ${temp('scgi')};
  server {
    listen 127.0.0.1:${port};
    location = /stub_status { stub_status; }
    location / { return 200 "ok\\n"; }
  }
}
`,
  );
  const server = group.start('nginx', 'nginx', ['-e', 'stderr', '-p', dir, '-c', conf]);
  const exporterPort = await freePort();
  const exporter = group.start('nginx_exporter', 'prometheus-nginx-exporter', [
    '-nginx.scrape-uri',
    `http://${local(port)}/stub_status`,
    '-nginx.retries',
    '40',
    '-nginx.retry-interval',
    '500ms',
    '-web.listen-address',
    local(exporterPort),
  ]);
  const scrape = await group.waitFor(`http://${local(exporterPort)}/metrics`, (t) => /^nginx_up 1$/m.test(t), exporter);
  return { port, exporterPort, scrape, server };
}

/** A TLS server with a fresh self-signed certificate valid for 30 days, for the blackbox certificate probe. */
export async function startTlsServer(dir: string): Promise<{ readonly server: TlsServer; readonly port: number; readonly notAfter: number }> {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=localhost'], { stdio: 'pipe', timeout: 60_000 });
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new MissingBinaryError('openssl');
    throw error;
  }
  const enddate = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-enddate'], { encoding: 'utf8' }).trim().replace(/^notAfter=/, '');
  const server = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, notAfter: Date.parse(enddate) / 1000 };
}

/** blackbox_exporter with the two modules the bundle's probes use (`http_2xx`, `tls_connect`). */
export async function startBlackbox(group: ProcessGroup, dir: string): Promise<Exported> {
  const config = join(dir, 'blackbox.yml');
  writeFileSync(
    config,
    `modules:
  http_2xx: { prober: http, timeout: 5s }
  tls_connect: { prober: tcp, timeout: 5s, tcp: { tls: true, tls_config: { insecure_skip_verify: true } } }
`,
  );
  const exporterPort = await freePort();
  const exporter = group.start('blackbox_exporter', 'prometheus-blackbox-exporter', [`--config.file=${config}`, `--web.listen-address=${local(exporterPort)}`]);
  const scrape = await group.waitFor(`http://${local(exporterPort)}/metrics`, (t) => t.includes('blackbox_exporter_build_info'), exporter);
  return { exporterPort, scrape };
}

/** node_exporter on a free port. */
export async function startNodeExporter(group: ProcessGroup): Promise<Exported> {
  const exporterPort = await freePort();
  const exporter = group.start('node_exporter', 'prometheus-node-exporter', [`--web.listen-address=${local(exporterPort)}`]);
  const scrape = await group.waitFor(`http://${local(exporterPort)}/metrics`, (t) => /^node_cpu_seconds_total\{/m.test(t), exporter);
  return { exporterPort, scrape };
}
