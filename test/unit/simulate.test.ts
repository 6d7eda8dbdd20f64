import { describe, expect, it } from 'vitest';
import { modelFires, modelFiring, modelResets, type Phase } from '../../src/generate/prometheus/simulate.js';
import { resolveModel } from '../../src/model/resolve.js';
import { validateConfig } from '../../src/spec/validate.js';
import type { Slo } from '../../src/model/types.js';

/** The exact model that generated promtool tests are timed against, checked by hand on the Workbook's numbers. */
function slo(objective: number, period: string): Slo {
  const config = validateConfig({ service: { name: 'svc' }, slos: { s: { objective, period, sli: { http: {} } } } } as never, 'obs.yaml');
  const model = resolveModel('obs.yaml', [{ config }]);
  return model.slos[0]!;
}

const healthy = (minutes: number): Phase => ({ minutes, badFraction: 0 });
const bad = (minutes: number, badFraction: number): Phase => ({ minutes, badFraction });

describe('the exact multiwindow model', () => {
  const s = slo(99.9, '30d');
  const page = s.windows.filter((w) => w.severity === 'page');

  it('pages on a full outage in the first minute (the Workbook: 52 s of a 1h window)', () => {
    expect(modelFires(s, [healthy(120), bad(60, 1)], page)).toBe(121);
  });

  it('pages on a 20× burn after 43 minutes once the windows hold a full history', () => {
    // 14.4 × 60 / 20 = 43.2 minutes of a 1h window.
    expect(modelFires(s, [healthy(6 * 60), bad(120, 0.02)], page)).toBe(6 * 60 + 44);
  });

  it('resets a 60-minute outage when it leaves the 5m and 30m short windows', () => {
    const phases = [healthy(6 * 60), bad(60, 1), healthy(120)];
    const fired = modelFires(s, phases, page)!;
    expect(fired).toBe(6 * 60 + 1);
    // The 1h/5m pair drops 5 minutes after recovery; the 6h/30m pair (6×) holds until 30 minutes after it.
    expect(modelResets(s, phases, page, 7 * 60)).toBe(7 * 60 + 30);
  });

  it('never fires below the budget (0.9×) and never pages at 2×', () => {
    expect(modelFiring(s, [bad(5 * 1440, 0.0009)], s.windows).some(Boolean)).toBe(false);
    expect(modelFires(s, [healthy(3 * 1440), bad(2 * 1440, 0.002)], page)).toBeUndefined();
  });
});
