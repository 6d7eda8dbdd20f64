/**
 * Sentry (@sentry/node 11) for errors, on top of our OpenTelemetry setup:
 *  - `enableOpenTelemetrySetup: false` + `openTelemetryIntegration()`: Sentry registers no tracer provider of
 *    its own and error events carry the trace/span id of the active OTel span;
 *  - Sentry's own tracing stays off (no `tracesSampleRate` passed) and its http/fetch integrations create no
 *    spans and inject no headers, so there are no duplicate HTTP spans and one propagator (OTel's);
 *  - conservative `dataCollection` (v11 collects user info, cookies, headers, bodies and GenAI I/O by default);
 *  - every event and breadcrumb goes through scrub.ts (spans sent to Sentry's OTLP endpoint: tracing.ts).
 */
import * as Sentry from '@sentry/node';
import type { Breadcrumb, ErrorEvent, Event, NodeOptions } from '@sentry/node';
import { scrub } from './scrub.js';
import type { ServiceIdentity } from './identity.js';

export interface SentryOptions {
  /** Default: SENTRY_DSN env var. Unset or empty → Sentry stays off and nothing breaks. */
  readonly dsn?: string | undefined;
  /** Default: SENTRY_RELEASE env var, else `<service>@<version>` when a version is known. */
  readonly release?: string | undefined;
  /** Default: SENTRY_ENVIRONMENT env var, else the service environment. */
  readonly environment?: string | undefined;
  /**
   * Share of traces also sent to Sentry (0..1). Sentry does not create spans of its own: the OTel spans of
   * the sampled share are exported to Sentry's OTLP endpoint (see telemetry.ts). Default 0.
   */
  readonly tracesSampleRate?: number | undefined;
  /** Sentry debug logging. */
  readonly debug?: boolean | undefined;
}


export interface SentryHandle {
  readonly enabled: boolean;
  readonly dsn: string | undefined;
  /** Host (`host:port`) of the Sentry ingest, so our HTTP instrumentation can skip Sentry's own requests. */
  readonly ingestHost: string | undefined;
  captureException(error: unknown): string | undefined;
  /** Flushes queued events and closes the client; bounded by timeoutMs. */
  close(timeoutMs: number): Promise<void>;
}

/** Headers worth keeping on error events; everything else (cookies, auth, api keys, …) is never collected. */
export const SAFE_REQUEST_HEADERS = [
  'accept',
  'accept-encoding',
  'accept-language',
  'content-length',
  'content-type',
  'host',
  'user-agent',
  'x-forwarded-proto',
  'x-request-id',
  'traceparent',
];

export const CONSERVATIVE_DATA_COLLECTION: NonNullable<NodeOptions['dataCollection']> = {
  userInfo: false,
  cookies: false,
  httpHeaders: { request: { allow: SAFE_REQUEST_HEADERS }, response: { allow: ['content-type', 'content-length'] } },
  httpBodies: [],
  urlQueryParams: false,
  graphQL: { document: true, variables: false },
  genAI: { inputs: false, outputs: false },
  mcp: { inputs: false, outputs: false },
  databaseQueryData: false,
  queues: false,
  stackFrameVariables: false,
};

/** beforeSend: scrubs the whole event (messages, exception values, request, breadcrumbs, contexts, extra). */
export function scrubEvent<T extends Event>(event: T): T {
  let out = scrub(event);
  // never ship an IP address even if some integration set one
  if (out.user && 'ip_address' in out.user) {
    const { ip_address: _drop, ...user } = out.user;
    out = { ...out, user };
  }
  // Sentry keeps non-allowed header names with "[Filtered]" values; drop them, and cookies, altogether
  const request = out.request;
  if (request && (request.headers || request.cookies)) {
    const { cookies: _cookies, headers, ...rest } = request;
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (SAFE_HEADER_SET.has(name.toLowerCase())) kept[name] = value;
    }
    out = { ...out, request: { ...rest, headers: kept } };
  }
  return out;
}

const SAFE_HEADER_SET = new Set(SAFE_REQUEST_HEADERS);

export function scrubBreadcrumb(crumb: Breadcrumb): Breadcrumb {
  return scrub(crumb);
}

function ingestHostOf(dsn: string): string | undefined {
  try {
    return new URL(dsn).host;
  } catch {
    return undefined;
  }
}

const DISABLED: SentryHandle = {
  enabled: false,
  dsn: undefined,
  ingestHost: undefined,
  captureException: () => undefined,
  close: () => Promise.resolve(),
};

export function startSentry(identity: ServiceIdentity, options: SentryOptions = {}): SentryHandle {
  const dsn = (options.dsn ?? process.env['SENTRY_DSN'] ?? '').trim();
  if (dsn === '') return DISABLED;
  const release =
    options.release ??
    process.env['SENTRY_RELEASE'] ??
    (identity.version ? `${identity.name}@${identity.version}` : undefined);
  const environment = options.environment ?? process.env['SENTRY_ENVIRONMENT'] ?? identity.environment;

  const client = Sentry.init({
    dsn,
    ...(release ? { release } : {}),
    ...(environment ? { environment } : {}),
    debug: options.debug ?? false,
    // OTel owns tracing: no Sentry tracer provider, no Sentry spans (tracesSampleRate deliberately unset)
    enableOpenTelemetrySetup: false,
    integrations: [
      Sentry.openTelemetryIntegration(),
      // request isolation + breadcrumbs only: no spans, no sentry-trace/baggage injection, no bodies
      Sentry.httpIntegration({ spans: false, tracePropagation: false, maxRequestBodySize: 'none' }),
      Sentry.nativeNodeFetchIntegration({ spans: false, tracePropagation: false }),
    ],
    dataCollection: CONSERVATIVE_DATA_COLLECTION,
    includeLocalVariables: false,
    initialScope: {
      tags: {
        service: identity.name,
        ...(identity.namespace ? { 'service.namespace': identity.namespace } : {}),
      },
    },
    beforeSend: (event: ErrorEvent) => scrubEvent(event),
    // no beforeSendTransaction: Sentry sends no transactions here (its tracing is off; the OTel spans that go
    // to Sentry's OTLP endpoint are scrubbed by tracing.ts), and v11 warns on every start that it is ignored
    beforeBreadcrumb: (crumb) => scrubBreadcrumb(crumb),
  });
  if (client === undefined) return DISABLED;

  let closing: Promise<void> | undefined;
  return {
    enabled: true,
    dsn,
    ingestHost: ingestHostOf(dsn),
    captureException: (error) => Sentry.captureException(error),
    close(timeoutMs) {
      closing ??= Sentry.close(timeoutMs).then(
        () => undefined,
        () => undefined,
      );
      return closing;
    },
  };
}
