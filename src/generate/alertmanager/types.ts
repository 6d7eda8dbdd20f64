/**
 * The subset of Alertmanager's configuration (0.25, Debian's) that obs emits, typed so the builders
 * cannot misspell a field. Field names are Alertmanager's own; matchers are classic strings
 * (`name="value"`, `name=~"regex"`): 0.25 predates the UTF-8 matcher syntax of 0.27.
 */

/** A matcher in the classic form, e.g. `severity="critical"`; see matchers.ts. */
export type Matcher = string;

export interface Route {
  readonly receiver?: string;
  readonly group_by?: readonly string[];
  readonly matchers?: readonly Matcher[];
  /** Keep evaluating siblings after this route matched (one severity, several receivers). */
  readonly continue?: boolean;
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly mute_time_intervals?: readonly string[];
  readonly routes?: readonly Route[];
}

export interface InhibitRule {
  readonly source_matchers: readonly Matcher[];
  readonly target_matchers: readonly Matcher[];
  /** Labels whose values must be equal on source and target; a label absent from both counts as equal. */
  readonly equal: readonly string[];
}

export interface TimeRange {
  readonly start_time: string;
  readonly end_time: string;
}

export interface TimeInterval {
  readonly name: string;
  readonly time_intervals: readonly {
    readonly weekdays?: readonly string[];
    readonly times?: readonly TimeRange[];
    readonly location?: string;
  }[];
}

export interface PagerdutyConfig {
  readonly send_resolved: boolean;
  readonly routing_key_file: string;
  readonly description: string;
  /** PagerDuty's event severity: critical, error, warning or info. */
  readonly severity: string;
  /** Merged with Alertmanager's default details (firing, resolved, num_firing, num_resolved). */
  readonly details: Readonly<Record<string, string>>;
}

export interface SlackConfig {
  readonly send_resolved: boolean;
  readonly api_url_file: string;
  readonly channel: string;
  readonly title: string;
  readonly text: string;
}

export interface EmailConfig {
  readonly send_resolved: boolean;
  readonly to: string;
  readonly from: string;
  readonly smarthost: string;
  readonly auth_username?: string;
  readonly auth_password_file?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly html: string;
  readonly text: string;
}

export interface WebhookConfig {
  readonly send_resolved: boolean;
  /** Alertmanager 0.25 has no `url_file` for webhooks: the URL is written in the config. */
  readonly url: string;
}

export interface Receiver {
  readonly name: string;
  readonly pagerduty_configs?: readonly PagerdutyConfig[];
  readonly slack_configs?: readonly SlackConfig[];
  readonly email_configs?: readonly EmailConfig[];
  readonly webhook_configs?: readonly WebhookConfig[];
}

export interface AlertmanagerConfig {
  readonly templates: readonly string[];
  readonly route: Route;
  readonly inhibit_rules: readonly InhibitRule[];
  readonly time_intervals?: readonly TimeInterval[];
  readonly receivers: readonly Receiver[];
}
