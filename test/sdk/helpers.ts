import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Context, type ContextManager, context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ObsConfig } from '../../src/index.js';
import { createObs, type Obs, type ObsOptions } from '../../src/sdk/index.js';

/** A small config with an availability SLO and a 300 ms latency SLO (→ an le="0.3" bucket). */
export function testConfig(name = 'sdk-test', threshold = '300ms'): ObsConfig {
  return {
    service: { name },
    slos: {
      availability: { objective: 99.9, sli: { http: {} } },
      latency: { objective: 99, sli: { httpLatency: { threshold } } },
      'llm-latency': { objective: 95, sli: { genaiLatency: { threshold: '3s' } } },
    },
  };
}

export function testObs(options: ObsOptions = {}, config = testConfig()): Obs {
  return createObs(config, { defaultMetrics: false, ...options });
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function listenListener(listener: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(listener);
  return { url: await listen(server), server };
}

export function close(server: { close(cb?: (err?: Error) => void): unknown; closeAllConnections?(): void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** Lines of an exposition that start with the given series name (and optional label fragments). */
export function series(text: string, name: string, ...fragments: string[]): string[] {
  return text.split('\n').filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && fragments.every((f) => l.includes(f)));
}

/** The value of the single line matching, as a number. */
export function value(text: string, name: string, ...fragments: string[]): number {
  const lines = series(text, name, ...fragments);
  if (lines.length !== 1) throw new Error(`expected one ${name} ${fragments.join(' ')} line, got ${lines.length}:\n${lines.join('\n')}`);
  return Number(lines[0]!.split(' # ')[0]!.trim().split(' ').pop());
}

/** A minimal AsyncLocalStorage context manager, so a span set with context.with() is active in callbacks. */
export class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

export function installContextManager(): () => void {
  const manager = new TestContextManager();
  context.setGlobalContextManager(manager);
  return () => context.disable();
}
