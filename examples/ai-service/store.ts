/**
 * The document store the RAG pipeline retrieves from: SQLite in memory (node:sqlite, full-text search
 * with FTS5) by default, or PostgreSQL when PG_URL is set and the `pg` package is installed. Every query
 * is timed as a dependency call (obs_dependency_request_duration_seconds), with the fault switch's
 * extra database latency inside the timing, where a slow database would show.
 */
import { DatabaseSync } from 'node:sqlite';
import type { RunningObs } from 'obs/sdk';
import { type FaultSwitch, sleep } from './faults.ts';

export interface Document {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  /** Only callers with the `confidential` scope may read it. */
  readonly restricted: boolean;
}

export interface NewDocument {
  readonly title: string;
  readonly body: string;
  readonly restricted?: boolean;
}

/** A database behind the store: the queries, without timing. */
interface Backend {
  /** OTel db.system.name: `sqlite`, `postgresql`. */
  readonly system: string;
  get(id: number): Promise<Document | undefined>;
  search(terms: readonly string[], limit: number): Promise<Document[]>;
  insert(doc: NewDocument): Promise<Document>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const TOPICS = [
  ['Refund policy', 'Refunds are issued within 14 days of purchase. Annual plans are refunded pro rata. Contact billing for exceptions.'],
  ['Password reset', 'Users reset their password from the sign-in page. The reset link expires after one hour.'],
  ['API rate limits', 'The public API allows 600 requests per minute per key. Exceeding it returns HTTP 429 with a Retry-After header.'],
  ['Data retention', 'Chat transcripts are kept for 30 days. Audit logs are kept for seven years.'],
  ['Single sign-on', 'SAML and OIDC single sign-on are available on the enterprise plan. Configure them in the admin console.'],
  ['Exporting data', 'Workspace owners export all documents as JSON from the settings page. Exports are ready within minutes.'],
  ['Model selection', 'Answers come from the primary model; a fallback model answers when the primary is unavailable.'],
  ['Uploading documents', 'Documents up to 20 MB are accepted. They are chunked, embedded and searchable within a minute.'],
  ['Billing cycles', 'Invoices are issued on the first day of each month. Usage above the plan is billed in arrears.'],
  ['Security overview', 'Data is encrypted at rest and in transit. Access to production requires hardware keys.'],
  ['Incident response', 'Incidents are declared by the on-call engineer. Customers are informed on the status page.'],
  ['Salary bands', 'Compensation bands per level and location. Confidential: HR and finance only.'],
] as const;

/** The seed corpus: the topics above, and numbered variants so that ids go past what one page shows. */
export function seedDocuments(): NewDocument[] {
  const out: NewDocument[] = [];
  for (let round = 0; round < 4; round++) {
    for (const [title, body] of TOPICS) {
      out.push({ title: round === 0 ? title : `${title} (${round + 1})`, body, restricted: title === 'Salary bands' });
    }
  }
  return out;
}

/** Search terms of a free-text query: lower-case words, at most 8, safe to put in a query. */
export function termsOf(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[a-z0-9]{2,}/g) ?? [])].slice(0, 8);
}

class SqliteBackend implements Backend {
  readonly system = 'sqlite';
  private readonly db = new DatabaseSync(':memory:');
  constructor() {
    this.db.exec(`
      CREATE TABLE documents (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, restricted INTEGER NOT NULL DEFAULT 0);
      CREATE VIRTUAL TABLE documents_fts USING fts5(title, body, content='documents', content_rowid='id');
    `);
  }
  private row(r: Record<string, unknown> | undefined): Document | undefined {
    return r && { id: Number(r.id), title: String(r.title), body: String(r.body), restricted: Number(r.restricted) === 1 };
  }
  async get(id: number) {
    return this.row(this.db.prepare('SELECT id, title, body, restricted FROM documents WHERE id = ?').get(id));
  }
  async search(terms: readonly string[], limit: number) {
    if (terms.length === 0) return [];
    const match = terms.map((t) => `"${t}"`).join(' OR ');
    const rows = this.db
      .prepare('SELECT d.id, d.title, d.body, d.restricted FROM documents_fts f JOIN documents d ON d.id = f.rowid WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?')
      .all(match, limit);
    return rows.map((r) => this.row(r)!);
  }
  async insert(doc: NewDocument) {
    const result = this.db.prepare('INSERT INTO documents (title, body, restricted) VALUES (?, ?, ?)').run(doc.title, doc.body, doc.restricted ? 1 : 0);
    const id = Number(result.lastInsertRowid);
    this.db.prepare('INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)').run(id, doc.title, doc.body);
    return { id, title: doc.title, body: doc.body, restricted: doc.restricted ?? false };
  }
  async ping() {
    this.db.prepare('SELECT 1').get();
  }
  async close() {
    this.db.close();
  }
}

/** The parts of node-postgres (`pg`) used here: it is optional, so typed structurally. */
interface PgPool {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

class PostgresBackend implements Backend {
  readonly system = 'postgresql';
  private readonly pool: PgPool;
  constructor(pool: PgPool) {
    this.pool = pool;
  }
  static async open(pool: PgPool): Promise<PostgresBackend> {
    // A table of its own, so the demo never touches anything else in the database.
    await pool.query(`CREATE TABLE IF NOT EXISTS obs_demo_documents (id SERIAL PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, restricted BOOLEAN NOT NULL DEFAULT false)`);
    return new PostgresBackend(pool);
  }
  private row(r: Record<string, unknown> | undefined): Document | undefined {
    return r && { id: Number(r.id), title: String(r.title), body: String(r.body), restricted: r.restricted === true };
  }
  async get(id: number) {
    return this.row((await this.pool.query('SELECT id, title, body, restricted FROM obs_demo_documents WHERE id = $1', [id])).rows[0]);
  }
  async search(terms: readonly string[], limit: number) {
    if (terms.length === 0) return [];
    const { rows } = await this.pool.query(
      `SELECT id, title, body, restricted FROM obs_demo_documents
       WHERE to_tsvector('english', title || ' ' || body) @@ to_tsquery('english', $1) LIMIT $2`,
      [terms.join(' | '), limit],
    );
    return rows.map((r) => this.row(r)!);
  }
  async insert(doc: NewDocument) {
    const { rows } = await this.pool.query('INSERT INTO obs_demo_documents (title, body, restricted) VALUES ($1, $2, $3) RETURNING id', [doc.title, doc.body, doc.restricted ?? false]);
    return { id: Number(rows[0]!.id), title: doc.title, body: doc.body, restricted: doc.restricted ?? false };
  }
  async ping() {
    await this.pool.query('SELECT 1');
  }
  async close() {
    await this.pool.end();
  }
}

/** Loads an optional package; undefined when it is not installed. */
export async function optionalImport<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** The store of the service: every query timed as a dependency call, the fault switch's latency included. */
export class DocumentStore {
  private readonly obs: RunningObs;
  private readonly faults: FaultSwitch;
  private readonly backend: Backend;
  private constructor(obs: RunningObs, faults: FaultSwitch, backend: Backend) {
    this.obs = obs;
    this.faults = faults;
    this.backend = backend;
  }

  /** PostgreSQL when `pgUrl` is given and `pg` is installed; otherwise SQLite in memory (logged). */
  static async open(obs: RunningObs, faults: FaultSwitch, pgUrl: string | undefined): Promise<DocumentStore> {
    let backend: Backend | undefined;
    if (pgUrl) {
      const pg = await optionalImport<{ default: { Pool: new (o: { connectionString: string; max: number }) => PgPool } }>('pg');
      if (pg) backend = await PostgresBackend.open(new pg.default.Pool({ connectionString: pgUrl, max: 5 }));
      else obs.logger.warn({ dependency: 'postgresql' }, 'PG_URL is set but the pg package is not installed (npm i pg): using SQLite in memory');
    }
    const store = new DocumentStore(obs, faults, backend ?? new SqliteBackend());
    if (!backend || (await store.isEmpty())) {
      for (const doc of seedDocuments()) await store.backend.insert(doc);
    }
    return store;
  }

  get system(): string {
    return this.backend.system;
  }

  private query<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.obs.dependencies.track({ system: this.backend.system, name: 'documents', operation }, async () => {
      await sleep(this.faults.current.dbLatencyMs);
      return fn();
    });
  }

  private async isEmpty(): Promise<boolean> {
    return (await this.backend.get(1)) === undefined;
  }

  get(id: number): Promise<Document | undefined> {
    return this.query('SELECT documents', () => this.backend.get(id));
  }
  search(query: string, limit = 3): Promise<Document[]> {
    return this.query('SEARCH documents', () => this.backend.search(termsOf(query), limit));
  }
  insert(doc: NewDocument): Promise<Document> {
    return this.query('INSERT documents', () => this.backend.insert(doc));
  }
  /** For the readiness check: untimed, a probe is not traffic. */
  ping(): Promise<void> {
    return this.backend.ping();
  }
  close(): Promise<void> {
    return this.backend.close();
  }
}
