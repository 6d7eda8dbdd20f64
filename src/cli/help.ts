export const MAIN_HELP = `obs: SLOs in, Prometheus rules, alerts and promtool tests out.

Usage: obs <command> [flags]

Commands:
  generate   Generate the bundle (rules/, with promtool tests) from the config
  check      Validate the config and report what would be generated; writes nothing
  init       Write a commented starter obs.config.ts in the current directory
  verify     Check a live Prometheus (and Alertmanager) against the bundle
  dev        Run the live stack locally (no Docker): service, exporters, Prometheus, Alertmanager, load

Flags:
  -h, --help     Show help (also: obs <command> --help)
  -v, --version  Print the obs version

Exit codes: 0 ok, 1 invalid input or stale bundle, 2 usage error.
`;

export const COMMAND_HELP: Record<string, string> = {
  verify: `Usage: obs verify --prometheus URL [--alertmanager URL] [--config FILE] [--json]

Checks a live stack against the bundle generated (in memory) from the config: every scrape target
up; every rule group of rules/*.rules.yml loaded with its rules and no evaluation error; every
recording rule producing series (or waiting on an input metric that has none yet); every metric an
alert or a dashboard panel reads present in Prometheus, naming its exporter when missing; every
dashboard PromQL target returning data (report only); with --alertmanager, its running config and
routing tree equal to the bundle's alertmanager.yml (secret file and template paths not compared).
Exit 1 naming each failed check.

Flags:
      --prometheus URL    Prometheus to check, e.g. http://127.0.0.1:9090 (required)
      --alertmanager URL  Alertmanager to check, e.g. http://127.0.0.1:9093
  -c, --config FILE       As for generate. Default: ./obs.config.ts, then ./obs.config.yaml
      --json              The report as JSON for CI: { ok, checks: [{ name, ok, summary, problems, notes, fix? }] }
`,
  generate: `Usage: obs generate [--config FILE] [--out DIR] [--check] [--time-scale N]

Generates the bundle from the config: per SLO rules/<service>-slo-<slo>.rules.yml (recording rules
and multiwindow multi-burn-rate alerts) and rules/<service>-slo-<slo>[.days].test.yml (promtool unit
tests); operational alerts, runbooks, dashboards, Alertmanager, the compose stack and Kubernetes.
Files are written to a temporary directory first, then moved into place: invalid input never
leaves a partial bundle. Files this config generated earlier and no longer produces are removed.

Flags:
  -c, --config FILE  obs.config.ts, obs YAML, a Sloth prometheus/v1 spec or an OpenSLO spec
                     (auto-detected). Default: ./obs.config.ts, then ./obs.config.yaml
  -o, --out DIR      Where the bundle goes. Default: . (rules land in DIR/rules/)
      --check        Write nothing; exit 1 listing files that are stale, missing or orphaned
                     (a CI drift gate)
      --time-scale N FOR TESTS ONLY: every SLO period and window, for, rule interval and PromQL
                     duration N times shorter (N a whole number from 1 to 300 dividing 60000, e.g.
                     60: an hour plays out in a minute), Alertmanager's timers too, Prometheus
                     scraping often enough (every scaled file says so). Needs --out; never deploy it
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
  dev: `Usage: obs dev [--config FILE | --bundle DIR] [--rps N] [--no-load] [--target [JOB=]HOST:PORT]
               [--webhook URL] [--scrape-interval DURATION]

Generates the bundle into a temporary directory and runs it on free 127.0.0.1 ports, without Docker:
the example service (examples/ai-service, in a checkout of obs), the exporters the config enables
(PostgreSQL, Redis, nginx, node_exporter, blackbox probing the local service and a local TLS server),
Alertmanager and Prometheus with the bundle's configs rewritten for those ports, and a load generator
with a fault switch. Jobs for what cannot run here (cAdvisor, Loki, Alloy, Tempo, Pushgateway) are
dropped with a note; a missing exporter is named with its Debian package and skipped. Notifications
go to a local webhook that prints one line each. Ctrl-C (SIGINT/SIGTERM) stops everything.

Flags:
  -c, --config FILE              As for generate. Default: ./obs.config.ts, then ./obs.config.yaml
      --bundle DIR               Run an already generated bundle instead of generating one
      --rps N                    Requests per second of the load generator. Default: 5
      --no-load                  No load generator
      --target [JOB=]HOST:PORT   Scrape a service already running instead of starting the example
                                 (JOB defaults to the config's first service job); repeatable
      --webhook URL              Deliver every notification to URL instead of the built-in printer
      --scrape-interval DURATION Scrape and rule evaluation interval (default: the bundle's)
`,
};
