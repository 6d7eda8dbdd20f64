/**
 * One Alertmanager receiver per configured kind, named after the kind (`pagerduty`, `slack`, `email`,
 * `webhook`), plus `none`, which notifies nobody. Secrets are only referenced by file (`*_file`).
 */
import type { Receivers } from '../../model/types.js';
import type { Receiver } from './types.js';
import { use } from './templates.js';

/** The receiver that notifies nobody: severities routed to no receiver end here, visibly. */
export const NO_RECEIVER = 'none';

export function buildReceivers(receivers: Receivers): Receiver[] {
  const built: Receiver[] = [];
  const { pagerduty, slack, email, webhook } = receivers;
  if (pagerduty) {
    built.push({
      name: 'pagerduty',
      pagerduty_configs: [
        {
          send_resolved: true,
          routing_key_file: pagerduty.routingKeyFile,
          description: use('obs.pagerduty.description'),
          severity: use('obs.pagerduty.severity'),
          details: {
            summary: '{{ .CommonAnnotations.summary }}',
            runbook_url: '{{ .CommonAnnotations.runbook_url }}',
            dashboard_url: '{{ .CommonAnnotations.dashboard_url }}',
          },
        },
      ],
    });
  }
  if (slack) {
    built.push({
      name: 'slack',
      slack_configs: [
        {
          send_resolved: true,
          api_url_file: slack.apiUrlFile,
          channel: slack.channel,
          title: use('obs.title'),
          text: use('obs.slack.text'),
        },
      ],
    });
  }
  if (email) {
    built.push({
      name: 'email',
      email_configs: [
        {
          send_resolved: true,
          to: email.to,
          from: email.from,
          smarthost: email.smarthost,
          ...(email.authUsername !== undefined && { auth_username: email.authUsername }),
          ...(email.authPasswordFile !== undefined && { auth_password_file: email.authPasswordFile }),
          headers: { Subject: use('obs.email.subject') },
          html: use('obs.email.html'),
          text: use('obs.email.text'),
        },
      ],
    });
  }
  if (webhook) built.push({ name: 'webhook', webhook_configs: [{ send_resolved: true, url: webhook.url }] });
  built.push({ name: NO_RECEIVER });
  return built;
}
