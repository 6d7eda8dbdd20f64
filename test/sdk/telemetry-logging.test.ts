import { describe, expect, it, vi } from 'vitest';
import { createLogging } from '../../src/sdk/logging.js';

function capture() {
  const lines: string[] = [];
  return {
    lines,
    stream: { write: (s: string) => void lines.push(s) },
    json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logging: pino JSON for Loki', () => {
  it('string level, ISO time, msg, base fields service/env/version; no pid/hostname', () => {
    const out = capture();
    const { logger } = createLogging({ service: 'api', env: 'prod', version: '2.0.0' }, { destination: out.stream });
    logger.info({ order: 7 }, 'placed');
    const [line] = out.json();
    expect(line).toMatchObject({ level: 'info', service: 'api', env: 'prod', version: '2.0.0', order: 7, msg: 'placed' });
    expect(line?.['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line).not.toHaveProperty('pid');
    expect(line).not.toHaveProperty('hostname');
    expect(out.lines[0]?.endsWith('\n')).toBe(true);
  });

  it('honours the level option and omits unknown base fields', () => {
    const out = capture();
    const { logger } = createLogging({ service: 'api' }, { level: 'warn', destination: out.stream });
    logger.info('hidden');
    logger.error('shown');
    expect(out.json()).toEqual([expect.objectContaining({ level: 'error', msg: 'shown', service: 'api' })]);
    expect(out.json()[0]).not.toHaveProperty('env');
  });

  it('audit logger: every line carries audit=true, same redaction', () => {
    const out = capture();
    const { audit } = createLogging({ service: 'api' }, { destination: out.stream });
    audit.info({ actor: 'u1', action: 'login', password: 'pw' }, 'authentication succeeded');
    audit.warn({ actor: 'u2', action: 'admin.delete' }, 'authorization denied');
    const lines = out.json();
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l['audit']).toBe(true);
    expect(lines[0]?.['password']).toBe('[redacted]');
  });

  it('no correlation fields without an active span', () => {
    const out = capture();
    createLogging({ service: 'api' }, { destination: out.stream }).logger.info('x');
    expect(out.json()[0]).not.toHaveProperty('trace_id');
  });

  it('redacts secrets in objects, headers, messages, interpolation args, errors and child bindings', () => {
    const out = capture();
    const { logger } = createLogging({ service: 'api' }, { destination: out.stream });
    const planted = {
      openai: 'sk-proj-AAAAbbbbCCCCddddEEEEffff1234',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJQTEFOVEVEIn0.c2lnbmF0dXJl',
      bearer: 'opaqueTokenValue123456',
      pw: 'Pl4nted-Passw0rd',
      prompt: 'PLANTED prompt text',
      cookie: 'sid=PLANTEDcookie',
    };
    logger.info(
      { req: { headers: { authorization: `Bearer ${planted.bearer}`, cookie: planted.cookie } } },
      'incoming',
    );
    logger.info({ prompt: planted.prompt, completion: 'PLANTED answer', usage: { input_tokens: 3 } }, 'llm call');
    logger.info(`calling with ${planted.openai}`);
    logger.info('db %s session %s', `postgres://u:${planted.pw}@db/x`, planted.jwt);
    logger.error({ err: new Error(`failed using ${planted.openai}`) }, 'boom');
    logger.error(new Error(`raw error with Bearer ${planted.bearer}`));
    logger.child({ apiKey: planted.openai, tenant: 't1' }).info('child');
    const text = out.lines.join('');
    for (const [name, secret] of Object.entries(planted)) expect(text, name).not.toContain(secret);
    expect(text).not.toContain('PLANTED');
    const lines = out.json();
    expect(lines[1]).toMatchObject({ prompt: '[redacted]', completion: '[redacted]', usage: { input_tokens: 3 } });
    expect(lines[4]?.['err']).toMatchObject({ type: 'Error', message: 'failed using [redacted]' });
    expect(lines[6]).toMatchObject({ tenant: 't1', apiKey: '[redacted]' });
  });

  it('writes to a file path destination', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'obs-log-')), 'nested', 'app.log');
    const logging = createLogging({ service: 'api' }, { destination: file });
    logging.logger.info('to file');
    await logging.flush();
    await vi.waitFor(() => expect(readFileSync(file, 'utf8')).toContain('"msg":"to file"'), { timeout: 60_000, interval: 10 });
  });
});

describe('isoTimeAt', () => {
  it("writes what pino's isoTime writes, across seconds and for every millisecond width", async () => {
    const { isoTimeAt } = await import('../../src/sdk/logging.js');
    const base = Date.UTC(2026, 11, 2, 4, 37, 13);
    const times = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 59_999, 86_400_000 - 1].map((d) => base + d);
    times.push(Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2000, 0, 1), base + 5, base);
    for (const t of times) expect(isoTimeAt(t)).toBe(`,"time":"${new Date(t).toISOString()}"`);
  });
});
