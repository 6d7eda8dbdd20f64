// Shared by the bench/http.bench.mjs variant apps: the route under test, listen on 127.0.0.1:0, control
// messages on stderr as `@@{json}` lines, and a SIGTERM handler that flushes telemetry and reports stats.
const control = (obj) => process.stderr.write(`@@${JSON.stringify(obj)}\n`);

export const stats = { requests: 0 };

/** GET /users/:id → a small JSON body. `onRequest` runs inside the handler (e.g. one log line). */
export function addRoutes(app, onRequest) {
  app.get('/users/:id', (req, res) => {
    stats.requests += 1;
    const id = req.params.id;
    onRequest?.(req, id);
    res.json({ id, name: `user-${id}` });
  });
}

/**
 * Listens, reports the port; on SIGTERM stops accepting, closes connections, awaits `onExit()` (flush
 * telemetry; returns extra stats) and exits.
 */
export function serve(app, onExit) {
  const server = app.listen(0, '127.0.0.1', () => control({ ready: true, port: server.address().port, pid: process.pid }));
  let stopping = false;
  process.on('SIGTERM', async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections?.();
    let extra = {};
    const t0 = Date.now();
    try {
      extra = (await onExit?.()) ?? {};
    } catch (err) {
      extra = { exitError: String(err) };
    }
    control({ exit: true, requests: stats.requests, shutdownMs: Date.now() - t0, ...extra });
    process.exit(0);
  });
  return server;
}
