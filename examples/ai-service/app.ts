/**
 * The chat/RAG API: routes, the fault switch's admin routes, and the obs adapter between them.
 *
 *   /admin/*            fault switch, mounted BEFORE obs's middleware: the SDK has no route exclusion,
 *                       and a route the middleware never sees is neither measured nor counted in the SLOs
 *   obs.http.express()  RED metrics, /metrics, /health, /health/ready, /health/detailed
 *   /v1/*               the API; every route runs rate limit → auth → injected faults → handler
 *   expressErrorHandler thrown errors → one JSON log line + JSON response
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { RunningObs } from 'obs/sdk';
import { principalOf, security } from './auth.ts';
import type { Caches } from './cache.ts';
import { FaultError, type FaultSwitch, faultsFrom, PRESETS, preset, sleep } from './faults.ts';
import type { JobQueues } from './jobs.ts';
import type { Answer, Llm } from './llm.ts';
import type { DocumentStore } from './store.ts';

export interface Parts {
  readonly obs: RunningObs;
  readonly faults: FaultSwitch;
  readonly store: DocumentStore;
  readonly caches: Caches;
  readonly llm: Llm;
  readonly jobs: JobQueues;
}

/** A client error whose message may be shown (the obs error handler keeps its status and `expose`s it). */
export class BadRequestError extends Error {
  readonly status = 400;
  readonly expose = true;
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

/** What the fault switch's errorRate throws: a 500 with its own error_type. */
export class InjectedFaultError extends Error {
  constructor() {
    super('injected fault: errorRate');
    this.name = 'InjectedFaultError';
  }
}

/** Both model providers failed: 503 to our caller (never the provider's own 429 or 500). */
export class ModelUnavailableError extends Error {
  readonly status = 503;
  constructor(cause: unknown) {
    super('no model provider could answer', { cause });
    this.name = 'ModelUnavailableError';
  }
}

const SYSTEM_PROMPT = 'You answer questions about our product using only the documents given. Cite document ids.';
const MAX_QUESTION = 2000;
const MAX_TEXTS = 64;

function stringField(body: unknown, field: string, max: number): string {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string' || value.trim() === '') throw new BadRequestError(`${field}: required, a non-empty string`);
  if (value.length > max) throw new BadRequestError(`${field}: at most ${max} characters, got ${value.length}`);
  return value;
}

/** The cache key of a question: case and spacing do not make a new question. */
function normalise(question: string): string {
  return question.toLowerCase().replace(/\s+/g, ' ').trim();
}

function adminRoutes({ obs, faults }: Parts): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));
  const apply = (req: Request, res: Response, next: NextFunction, compute: () => ReturnType<typeof faultsFrom> | undefined) => {
    try {
      const chosen = compute();
      if (!chosen) {
        res.status(404).json({ error: 'unknown preset', presets: Object.keys(PRESETS) });
        return;
      }
      faults.set(chosen);
      obs.audit.info({ action: 'faults.set', actor: 'admin', resource: req.path, faults: chosen }, 'fault switch changed');
      res.json(chosen);
    } catch (error) {
      if (error instanceof FaultError) res.status(400).json({ error: error.message });
      else next(error);
    }
  };
  router.get('/faults', (_req, res) => {
    res.json(faults.current);
  });
  router.put('/faults', (req, res, next) =>
    apply(req, res, next, () => {
      // Without a JSON content type express.json() leaves no body: refuse rather than reset to healthy.
      if (req.body === undefined) throw new FaultError('faults: send a JSON object with Content-Type: application/json ({} = healthy)');
      return faultsFrom(req.body);
    }),
  );
  router.put('/faults/preset/:name', (req, res, next) => apply(req, res, next, () => preset(String(req.params.name))));
  router.get('/faults/presets', (_req, res) => {
    res.json(PRESETS);
  });
  return router;
}

export function createApp(parts: Parts): express.Express {
  const { obs, faults, store, caches, llm, jobs } = parts;
  const app = express();
  app.disable('x-powered-by');
  app.use('/admin', adminRoutes(parts));
  app.use(obs.http.express());
  app.use(express.json({ limit: '1mb' }));

  const guard = security(obs, faults);
  /** Injected latency and 5xx, after authentication (a 401 stays a 401). */
  async function injectFaults(_req: Request, _res: Response, next: NextFunction): Promise<void> {
    const f = faults.current;
    await sleep(f.latencyMs);
    if (faults.hits(f.errorRate)) throw new InjectedFaultError();
    next();
  }
  const api = [guard.rateLimit, guard.authenticate, injectFaults];

  app.post('/v1/chat', ...api, guard.requireScope('read'), async (req, res) => {
    const question = stringField(req.body, 'question', MAX_QUESTION);
    const stream = (req.body as { stream?: unknown }).stream === true;
    const module = 'chat';
    const key = normalise(question);
    const cached = await caches.lookup('answers', key, module);
    if (cached !== undefined) {
      res.json({ ...(JSON.parse(cached) as object), cached: true });
      return;
    }
    const confidential = principalOf(req).scopes.includes('confidential');
    const sources = (await store.search(question, 3)).filter((d) => confidential || !d.restricted);
    const request = { system: SYSTEM_PROMPT, question, context: sources.map((d) => `[${d.id}] ${d.title}: ${d.body}`) };
    const ids = sources.map((d) => d.id);
    let answer: Answer;
    if (stream) {
      // Newline-delimited JSON: one line per text delta, then the final line with provider and sources.
      res.setHeader('Content-Type', 'application/x-ndjson');
      try {
        const chunks = llm.stream(request, module);
        for (;;) {
          const step = await chunks.next();
          if (step.done) {
            answer = step.value;
            break;
          }
          res.write(`${JSON.stringify({ delta: step.value })}\n`);
        }
      } catch (error) {
        throw new ModelUnavailableError(error);
      }
      res.end(`${JSON.stringify({ done: true, provider: answer.provider, model: answer.model, sources: ids })}\n`);
    } else {
      try {
        answer = await llm.answer(request, module);
      } catch (error) {
        throw new ModelUnavailableError(error);
      }
      res.json({ answer: answer.text, provider: answer.provider, model: answer.model, sources: ids, cached: false });
    }
    await caches.store('answers', key, JSON.stringify({ answer: answer.text, provider: answer.provider, model: answer.model, sources: ids }));
  });

  app.get('/v1/search', ...api, guard.requireScope('read'), async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    if (q.trim() === '') throw new BadRequestError('q: required, the search text');
    const confidential = principalOf(req).scopes.includes('confidential');
    const key = normalise(q);
    const cached = await caches.lookup('search', key, 'search');
    const results = cached !== undefined ? (JSON.parse(cached) as { id: number; title: string; snippet: string; restricted: boolean }[]) : undefined;
    const fresh =
      results ??
      (await store.search(q, 5)).map((d) => ({ id: d.id, title: d.title, snippet: d.body.slice(0, 120), restricted: d.restricted }));
    if (results === undefined) await caches.store('search', key, JSON.stringify(fresh), 60);
    res.json({ query: q, results: fresh.filter((r) => confidential || !r.restricted), cached: results !== undefined });
  });

  app.get('/v1/documents/:id', ...api, guard.requireScope('read'), async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) throw new BadRequestError('id: a positive integer');
    const doc = await store.get(id);
    if (!doc) {
      res.status(404).json({ error: 'not_found', id });
      return;
    }
    if (doc.restricted && !principalOf(req).scopes.includes('confidential')) return guard.deny(req, res, 'confidential', `document:${id}`);
    res.json(doc);
  });

  app.post('/v1/documents', ...api, guard.requireScope('write'), async (req, res) => {
    const title = stringField(req.body, 'title', 200);
    const body = stringField(req.body, 'body', 100_000);
    const doc = await store.insert({ title, body });
    const job = jobs.enqueue({ queue: 'ingest', documentId: doc.id });
    obs.audit.info({ action: 'document.create', actor: principalOf(req).subject, resource: `document:${doc.id}`, job }, 'document created');
    res.status(201).json({ id: doc.id, job });
  });

  app.post('/v1/embeddings', ...api, guard.requireScope('write'), async (req, res) => {
    const texts = (req.body as { texts?: unknown }).texts;
    if (!Array.isArray(texts) || texts.length === 0 || texts.length > MAX_TEXTS || !texts.every((t) => typeof t === 'string' && t.length <= 10_000)) {
      throw new BadRequestError(`texts: 1 to ${MAX_TEXTS} strings of at most 10000 characters`);
    }
    const job = jobs.enqueue({ queue: 'embeddings', texts: texts as string[] });
    obs.audit.info({ action: 'embeddings.enqueue', actor: principalOf(req).subject, resource: 'queue:embeddings', job, count: texts.length }, 'embeddings job enqueued');
    res.status(202).json({ job, queue: 'embeddings' });
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found' });
  });
  app.use(obs.http.expressErrorHandler());
  return app;
}
