/**
 * Route templates for the plain node:http adapter, which has no router: `/users/:id`, `/files/*`.
 * Matched in the order given; the first match names the route.
 */
export type RouteMatcher = (path: string) => string | undefined;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileRoutes(templates: readonly string[]): RouteMatcher {
  const compiled = templates.map((template) => {
    const pattern = template
      .split('/')
      .map((segment) => (segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : escapeRegex(segment)))
      .join('/');
    return { template, regex: new RegExp(`^${pattern}/?$`) };
  });
  return (path) => compiled.find((c) => c.regex.test(path))?.template;
}
