/** The parts of the Compose Specification and of Prometheus's configuration file that obs writes. */

export interface ComposeHealthcheck {
  readonly test: readonly string[];
  readonly interval: string;
  readonly timeout: string;
  readonly retries: number;
  readonly start_period?: string;
}

export interface ComposeService {
  readonly image: string;
  readonly command?: readonly string[];
  readonly restart: 'unless-stopped' | 'always' | 'on-failure' | 'no';
  readonly profiles?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  /** `source:target[:ro]`; relative sources are bundle paths, resolved against compose/. */
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly secrets?: readonly string[];
  readonly depends_on?: Readonly<Record<string, { readonly condition: 'service_started' | 'service_healthy' }>>;
  readonly healthcheck?: ComposeHealthcheck;
  readonly deploy: { readonly resources: { readonly limits: { readonly cpus: string; readonly memory: string } } };
  readonly extra_hosts?: readonly string[];
  readonly pid?: 'host';
  readonly privileged?: boolean;
  readonly devices?: readonly string[];
  readonly user?: string;
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes: Readonly<Record<string, Record<string, never>>>;
  readonly secrets?: Readonly<Record<string, { readonly file: string }>>;
}

export interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly target_label?: string;
  readonly replacement?: string;
  readonly regex?: string;
  readonly action?: 'replace' | 'keep' | 'drop' | 'labeldrop';
}

export interface ScrapeConfig {
  readonly job_name: string;
  readonly scrape_interval?: string;
  readonly metrics_path?: string;
  /** Keep the pushed `job` and `instance` (Pushgateway) instead of the scrape's. */
  readonly honor_labels?: boolean;
  readonly params?: Readonly<Record<string, readonly string[]>>;
  readonly authorization?: { readonly type: 'Bearer'; readonly credentials_file: string };
  readonly static_configs: readonly StaticConfig[];
  readonly relabel_configs?: readonly RelabelConfig[];
}

export interface RemoteWriteConfig {
  readonly url: string;
  readonly name?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly basic_auth?: { readonly username: string; readonly password_file: string };
  readonly authorization?: { readonly type: 'Bearer'; readonly credentials_file: string };
}

export interface PrometheusConfig {
  readonly global: {
    readonly scrape_interval: string;
    readonly evaluation_interval: string;
    readonly external_labels?: Readonly<Record<string, string>>;
  };
  readonly rule_files: readonly string[];
  readonly alerting: { readonly alertmanagers: readonly { readonly static_configs: readonly StaticConfig[] }[] };
  readonly scrape_configs: readonly ScrapeConfig[];
  readonly remote_write?: readonly RemoteWriteConfig[];
}
