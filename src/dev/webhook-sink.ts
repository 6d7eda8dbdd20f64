import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The receiver `obs dev` stands in for PagerDuty, Slack and email: a local HTTP server that takes
 * Alertmanager's webhook notifications and reports each as one line.
 */

/** The parts of Alertmanager's webhook payload (version 4) we show. */
export interface Notification {
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly groupLabels?: Readonly<Record<string, string>>;
  readonly commonAnnotations?: Readonly<Record<string, string>>;
  readonly alerts: readonly { readonly status: string; readonly labels: Readonly<Record<string, string>> }[];
}

/** `pagerduty: FIRING ChatApiAvailabilityBurnRatePage {service="chat-api", slo="availability"} (1 alert): summary` */
export function notificationLine(n: Notification): string {
  const names = [...new Set(n.alerts.map((a) => a.labels['alertname'] ?? '?'))].join(', ');
  const group = Object.entries(n.groupLabels ?? {})
    .filter(([key]) => key !== 'alertname')
    .map(([key, value]) => `${key}="${value}"`)
    .join(', ');
  const summary = n.commonAnnotations?.['summary'];
  const count = `${n.alerts.length} alert${n.alerts.length === 1 ? '' : 's'}`;
  return `${n.receiver}: ${String(n.status).toUpperCase()} ${names}${group ? ` {${group}}` : ''} (${count})${summary ? `: ${summary}` : ''}`;
}

export interface WebhookSink {
  readonly url: string;
  readonly received: readonly Notification[];
  close(): Promise<void>;
}

/** Listens on a free 127.0.0.1 port; `onNotification` sees each notification as it arrives. */
export async function startWebhookSink(onNotification: (n: Notification) => void): Promise<WebhookSink> {
  const received: Notification[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const notification = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification;
        if (!Array.isArray(notification.alerts)) throw new Error('no alerts');
        received.push(notification);
        onNotification(notification);
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end('expected an Alertmanager webhook notification\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
