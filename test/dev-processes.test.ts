import { afterAll, describe, expect, it } from 'vitest';
import { findBinary, MissingBinaryError, ProcessGroup } from '../src/dev/processes.js';

describe('the local process group of obs dev and the live tests', () => {
  const group = new ProcessGroup({ limitSeconds: 60, readyWithinMs: 2000 });
  afterAll(() => group.stopAll(1000));

  it('names the Debian package of a binary that is not installed', () => {
    expect(findBinary('prometheus-redis-exporter', '/nonexistent')).toBeUndefined();
    expect(findBinary('sh')).toMatch(/\/sh$/);
    expect(new MissingBinaryError('prometheus-redis-exporter').message).toBe(
      'prometheus-redis-exporter is not installed: install the Debian package prometheus-redis-exporter (apt-get install prometheus-redis-exporter)',
    );
    expect(new MissingBinaryError('nginx').message).toMatch(/nginx-light/);
    expect(() => group.start('nope', 'obs-no-such-binary', [])).toThrow(MissingBinaryError);
  });

  it('reports a process that exits before it is ready, with its output', async () => {
    const child = group.start('failing', 'sh', ['-c', 'echo "bad flag" >&2; exit 3']);
    await expect(group.waitFor('http://127.0.0.1:9/never', () => true, child)).rejects.toThrow(/failing exited \(3\)[\s\S]*bad flag/);
  });

  it('stops every process group it started, children included', async () => {
    const child = group.start('sleeper', 'sh', ['-c', 'sleep 300 & sleep 300; wait']);
    expect(group.running()).toContain('sleeper');
    await group.stopAll(2000);
    expect(group.running()).toEqual([]);
    expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
  });
});
