import { queryProblem } from '../promql/lint.js';
import { ConfigError, type ConfigIssue, fromZodIssues } from './errors.js';
import { configSpec, type ObsConfig, type ValidConfig } from './schema.js';

/** Validates a config object as `obs generate` does; throws ConfigError listing every problem. */
export function validateConfig(config: ObsConfig, source = 'obs.config.ts'): ValidConfig {
  const parsed = configSpec.safeParse(config);
  if (!parsed.success) throw new ConfigError(source, fromZodIssues(configSpec, parsed.error, config));
  const issues = queryIssues(parsed.data as ValidConfig);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return parsed.data as ValidConfig;
}

/** The fields of each SLI kind that hold user PromQL, and whether each must be events per second. */
const QUERY_FIELDS = {
  ratio: { errors: true, good: true, total: true },
  errorRatio: { query: false },
  threshold: { query: false },
} as const;

/**
 * What a schema cannot see in the user's PromQL of an obs config: syntax, a ratio part that is not
 * events per second, and a ratio's range that is not the `$window` placeholder.
 */
export function queryIssues(config: ValidConfig, document?: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, slo] of Object.entries(config.slos)) {
    for (const [kind, fields] of Object.entries(QUERY_FIELDS)) {
      const spec = slo.sli[kind as keyof typeof QUERY_FIELDS] as Record<string, unknown> | undefined;
      if (!spec) continue;
      for (const [field, events] of Object.entries(fields)) {
        const query = spec[field];
        if (typeof query !== 'string') continue;
        // Only a ratio's rates are ours to window; errorRatio and threshold queries are run as written.
        const problem = queryProblem(query, { events, ...(events && { placeholder: '$window' }) });
        if (!problem) continue;
        issues.push({
          path: ['slos', name, 'sli', kind, field],
          message: problem.message,
          ...(problem.syntax && { got: query }),
          ...(document !== undefined && { document }),
        });
      }
    }
  }
  return issues;
}
