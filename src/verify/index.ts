import { checkAlertmanagerConfig, checkAlertmanagerRoutes } from './alertmanager-checks.js';
import type { Expectations } from './bundle.js';
import { checkMetrics, checkPanels, checkRecordings, checkRules, checkTargets } from './prometheus-checks.js';
import type { CheckResult, LiveState, VerifyReport } from './types.js';

export { expectationsOf, type Expectations } from './bundle.js';
export { fetchLiveState, UnreachableError } from './live.js';
export type { CheckResult, LiveState, VerifyReport } from './types.js';

/** Every check of a live stack against the bundle. Pure: the expectations and the fetched answers in, a report out. */
export function verify(expected: Expectations, state: LiveState): VerifyReport {
  const checks: CheckResult[] = [
    checkTargets(state),
    checkRules(expected, state),
    checkRecordings(expected, state),
    checkMetrics(expected, state),
    checkPanels(expected, state),
  ];
  if (state.alertmanager && expected.alertmanager) {
    checks.push(checkAlertmanagerConfig(expected.alertmanager, state), checkAlertmanagerRoutes(expected.alertmanager, state));
  }
  return { ok: checks.every((c) => c.ok), checks };
}

/** The report for people: one line per check, failures first, each with its problems and the fix. */
export function formatReport(report: VerifyReport): string[] {
  const ordered = [...report.checks.filter((c) => !c.ok), ...report.checks.filter((c) => c.ok)];
  const lines: string[] = [];
  for (const check of ordered) {
    lines.push(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.summary}`);
    for (const problem of check.problems) lines.push(`        ${problem}`);
    if (check.fix) lines.push(`        fix: ${check.fix}`);
    for (const note of check.notes) lines.push(`        note: ${note}`);
  }
  const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
  lines.push(failed.length === 0 ? `obs verify: all ${report.checks.length} checks pass` : `obs verify: ${failed.length} of ${report.checks.length} checks failed (${failed.join(', ')})`);
  return lines;
}

/** The report for CI: a stable shape, `{ ok, checks: [{ name, ok, summary, problems, notes, fix? }] }`. */
export function reportJson(report: VerifyReport): string {
  return JSON.stringify(report, null, 2);
}
