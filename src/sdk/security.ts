import { auditEvents, securityEvents } from '../catalog/sdk-metrics.js';
import type { MetricsCore } from './metrics/core.js';
import { CatalogCounter } from './metrics/instruments.js';

export type SecurityEvent = 'auth_failure' | 'access_denied' | 'rate_limited' | 'config_error';

const EVENTS: readonly SecurityEvent[] = ['auth_failure', 'access_denied', 'rate_limited', 'config_error'];

/**
 * Security events as a counter, obs_security_events_total{event,reason}. `reason` is a short code
 * (`invalid_token`, `expired_jwt`, `http_429`), bounded by its label cap; never a user id or an IP.
 * The HTTP adapters count 429 (rate_limited/http_429), 401 (auth_failure/http_401) and 403
 * (access_denied/http_403) responses automatically.
 */
export class Security {
  private readonly events: CatalogCounter;

  constructor(private readonly core: MetricsCore) {
    this.events = new CatalogCounter(securityEvents, core.registry, core.guards, {
      event: core.guards.allowList(securityEvents.name, 'event', EVENTS),
    });
  }

  record(event: SecurityEvent, reason = 'unspecified'): void {
    this.core.safety.run('security', () => this.events.inc([event, reason]), undefined);
  }

  private auditCounted = false;

  /**
   * Exports obs_audit_events_total from the audit logger's line count (Logging.auditEvents), brought up
   * to date at each scrape, so that an audit trail gone silent can alert. Once per instance.
   */
  countAuditEvents(total: () => number): void {
    if (this.auditCounted) return;
    this.auditCounted = true;
    let seen = 0;
    const counter: CatalogCounter = new CatalogCounter(auditEvents, this.core.registry, this.core.guards, {}, () =>
      this.core.safety.run(
        'security',
        () => {
          const now = total();
          counter.inc([], now - seen);
          seen = now;
        },
        undefined,
      ),
    );
    counter.inc([], 0);
  }
}
