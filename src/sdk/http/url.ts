/** The path of a request URL without its query string (labels and spans never see queries: tokens live there). */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
