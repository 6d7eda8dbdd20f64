export const MAIN_HELP = `obs: SLOs in, Prometheus rules, alerts and promtool tests out.

Usage: obs <command> [flags]

Commands:
  generate   Generate the bundle (rules/, with promtool tests) from the config
  check      Validate the config and report what would be generated; writes nothing
  init       Write a commented starter obs.config.ts in the current directory

Flags:
  -h, --help     Show help (also: obs <command> --help)
  -v, --version  Print the obs version

Exit codes: 0 ok, 1 invalid input or stale bundle, 2 usage error.
`;

export const COMMAND_HELP: Record<string, string> = {
  generate: `Usage: obs generate [--config FILE] [--out DIR] [--check]

Generates the bundle from the config: rules/<service>-slo.rules.yml (recording rules and
multiwindow multi-burn-rate alerts) and rules/<service>-slo-<slo>[.days].test.yml (promtool unit tests).
Files are written to a temporary directory first, then moved into place: invalid input never
leaves a partial bundle. Files this config generated earlier and no longer produces are removed.

Flags:
  -c, --config FILE  obs.config.ts, obs YAML, a Sloth prometheus/v1 spec or an OpenSLO spec
                     (auto-detected). Default: ./obs.config.ts, then ./obs.config.yaml
  -o, --out DIR      Where the bundle goes. Default: . (rules land in DIR/rules/)
      --check        Write nothing; exit 1 listing files that are stale, missing or orphaned
                     (a CI drift gate)
`,
  check: `Usage: obs check [--config FILE]

Validates the config (and Sloth/OpenSLO imports) and prints a summary of its SLOs.
Exit 1 listing every problem (the first 20) as FILE[:LINE[:COLUMN]]: field.path: what is wrong, got VALUE.

Flags:
  -c, --config FILE  As for generate. Default: ./obs.config.ts, then ./obs.config.yaml
`,
  init: `Usage: obs init [--service NAME]

Writes a commented starter obs.config.ts in the current directory. Refuses to overwrite an
existing file.

Flags:
  -s, --service NAME  The service name to put in the config. Default: the directory's name
`,
};
