/** `$window`, Sloth's `{{.window}}` and `{{ .window }}` all mark where the rate window goes. */
export const WINDOW_PLACEHOLDER = /\$window\b|\{\{\s*\.window\s*\}\}/g;

/** User PromQL with its window placeholder filled in. */
export function withWindow(query: string, window: string): string {
  return query.replace(WINDOW_PLACEHOLDER, window).trim();
}
