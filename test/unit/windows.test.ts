import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/model/duration.js';
import { alertWindows, burnRateWindows, windowPlan } from '../../src/model/windows.js';

const DAY = 86_400;
const table = (days: number) =>
  burnRateWindows(days * DAY).map((w) => `${w.severity} ${w.factor}× ${formatDuration(w.long)}/${formatDuration(w.short)}`);

describe('burn-rate windows', () => {
  it('is the SRE Workbook table for 30 days', () => {
    expect(table(30)).toEqual(['page 14.4× 1h/5m', 'page 6× 6h/30m', 'ticket 3× 1d/2h', 'ticket 1× 3d/6h']);
  });

  it('scales windows with the period and keeps the factors', () => {
    expect(table(28)).toEqual(['page 14.4× 56m/5m', 'page 6× 5h36m/28m', 'ticket 3× 22h24m/1h52m', 'ticket 1× 2d19h12m/5h36m']);
    expect(table(90)).toEqual(['page 14.4× 3h/15m', 'page 6× 18h/1h30m', 'ticket 3× 3d/6h', 'ticket 1× 9d/18h']);
  });

  it('never goes below the 5m rate window', () => {
    expect(table(7)).toEqual(['page 14.4× 14m/5m', 'page 6× 1h24m/7m', 'ticket 3× 5h36m/28m', 'ticket 1× 16h48m/1h24m']);
  });

  it.each([7, 14, 28, 30, 31, 60, 90])('spends the same share of a %d-day budget as the Workbook when each alert fires', (days) => {
    for (const [i, w] of burnRateWindows(days * DAY).entries()) {
      expect(w.factor * w.long).toBeCloseTo(w.budgetConsumed * days * DAY, 6);
      expect(w.budgetConsumed).toBe([0.02, 0.05, 0.1, 0.1][i]);
    }
  });

  it('detects a 100% outage of a 99.9% / 30d SLO in under a minute of long window', () => {
    // t = f·L/b with b = 1000: the page fires after 52 s of a 1h window.
    const [fast] = burnRateWindows(30 * DAY);
    expect((fast!.factor * fast!.long) / 1000).toBeCloseTo(51.84, 2);
  });

  it('records seven distinct windows for the standard table', () => {
    expect(alertWindows(burnRateWindows(30 * DAY)).map(formatDuration)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  });

  it('reads raw series for windows up to 6h and stitches the longer ones onto the longest raw window', () => {
    const plan = (days: number) => {
      const p = windowPlan(burnRateWindows(days * DAY));
      return { raw: p.raw.map(formatDuration), stitched: p.stitched.map(formatDuration), head: formatDuration(p.head) };
    };
    expect(plan(30)).toEqual({ raw: ['5m', '30m', '1h', '2h', '6h'], stitched: ['1d', '3d'], head: '6h' });
    expect(plan(7)).toEqual({ raw: ['5m', '7m', '14m', '28m', '1h24m', '5h36m'], stitched: ['16h48m'], head: '5h36m' });
    // The 5m rate is always recorded from raw series: stitching and the missing-data alert read it.
    expect(plan(90)).toEqual({ raw: ['5m', '15m', '1h30m', '3h', '6h'], stitched: ['18h', '3d', '9d'], head: '6h' });
  });
});
