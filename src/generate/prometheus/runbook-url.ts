import type { Service } from '../../model/types.js';

/**
 * Where an alert's runbook lives: `<runbookBaseUrl>/<AlertName>` when the config gives a base URL, else
 * the file obs writes into the bundle (runbooks/<AlertName>.md).
 */
export function runbookUrl(alertName: string, service: Service | undefined): string {
  return service?.runbookBaseUrl ? `${service.runbookBaseUrl.replace(/\/+$/, '')}/${alertName}` : `runbooks/${alertName}.md`;
}
