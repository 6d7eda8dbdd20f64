/**
 * runbooks/<AlertName>.md for every alert the bundle can fire: the operational alerts from their
 * definitions' runbooks, the SLO burn-rate and missing-data alerts from the SLO model. An alert name
 * shared by several services (or severities) gets one runbook listing each of them.
 */
import type { Model } from '../../model/types.js';
import { opsAlertSets, ruleFileBase } from '../prometheus/ops/index.js';
import type { OpsAlert, Runbook } from '../prometheus/ops/types.js';
import type { GeneratedFile } from '../types.js';
import { sloRunbooks } from './slo.js';
import { lokiRunbookEntries } from '../loki/index.js';

/** One alert as a runbook presents it: where it comes from and when it fires. */
export interface RunbookEntry {
  readonly name: string;
  readonly summary: string;
  readonly runbook: Runbook;
  /** One line per rule: who, severity and condition. */
  readonly rules: readonly { readonly who: string; readonly severity: string; readonly expr: string; readonly for?: string }[];
}

export function generateRunbooks(model: Model): GeneratedFile[] {
  const entries = [...opsRunbookEntries(model), ...lokiRunbookEntries(model), ...sloRunbooks(model)];
  const byName = new Map<string, RunbookEntry[]>();
  for (const entry of entries) byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
  return [...byName].map(([name, group]) => ({ path: `runbooks/${name}.md`, content: renderRunbook(name, group) }));
}

function opsRunbookEntries(model: Model): RunbookEntry[] {
  return opsAlertSets(model).flatMap((set) =>
    set.alerts.map((alert: OpsAlert) => ({
      name: alert.name,
      summary: alert.summary,
      runbook: alert.runbook,
      rules: [{ who: set.service?.name ?? `the monitoring stack (rules/${ruleFileBase(set)}.rules.yml)`, severity: alert.severity, expr: alert.expr, for: alert.for }],
    })),
  );
}

/** The sections every runbook has; texts shared by several entries are written once. */
export function renderRunbook(name: string, entries: readonly RunbookEntry[]): string {
  const unique = <T>(items: readonly T[], key: (item: T) => string = String): T[] => {
    const seen = new Set<string>();
    return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)));
  };
  const books = entries.map((e) => e.runbook);
  const lines: string[] = [`# ${name}`, '', ...unique(entries.map((e) => e.summary)), ''];
  lines.push('## When it fires', '');
  for (const rule of entries.flatMap((e) => e.rules)) {
    lines.push(`- **${rule.severity}** — ${rule.who}${rule.for ? `, for ${rule.for}` : ''}:`, '', fence('promql', rule.expr, '  '), '');
  }
  lines.push('## What it means', '', ...paragraphs(unique(books.map((b) => b.meaning))));
  lines.push('## User impact', '', ...paragraphs(unique(books.map((b) => b.impact))));
  lines.push('## How to confirm', '');
  for (const { query, look } of unique(books.flatMap((b) => b.confirm), (c) => c.query)) {
    lines.push(`- ${look}`, '', fence(queryLanguage(query), query, '  '), '');
  }
  lines.push('## Likely causes', '', ...unique(books.flatMap((b) => b.causes)).map((c) => `- ${c}`), '');
  lines.push('## Mitigation', '', ...unique(books.flatMap((b) => b.mitigation)).map((m, i) => `${i + 1}. ${m}`), '');
  lines.push('## Escalation', '', ...paragraphs(unique(books.map((b) => b.escalation))));
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * The fence language of a query to paste. LogQL starts with a stream selector; SQL with its verb; a shell
 * command has flags, pipes, placeholders or file names, which PromQL never has. (A regex, not the PromQL
 * parser: runbooks are written for every alert of every service, and parsing each query cost more than
 * the rest of the runbooks together.)
 */
export function queryLanguage(query: string): 'promql' | 'logql' | 'sql' | 'shell' {
  const text = query.trimStart();
  if (text.startsWith('{')) return 'logql';
  if (/^(SELECT|WITH|SHOW)\b/i.test(text)) return 'sql';
  const unquoted = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/(^|\s)--?[a-z]|\||<[a-z]+>|\.ya?ml\b|^(echo|curl|docker|kubectl|journalctl|du|df|promtool|amtool|psql|redis-cli)\b/i.test(unquoted)) return 'shell';
  return 'promql';
}

function paragraphs(texts: readonly string[]): string[] {
  return texts.flatMap((t) => [t, '']);
}

function fence(language: string, code: string, indent: string): string {
  return [`${indent}\`\`\`${language}`, ...code.split('\n').map((l) => indent + l), `${indent}\`\`\``].join('\n');
}
