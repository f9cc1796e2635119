/**
 * The dashboard's Content-Security-Policy, one for both of its hosts: the
 * Electron app (`app://desk`) and the browser preview host. Sent as a response
 * header (a header cannot be removed by injected markup, and it covers what a
 * `<meta>` tag cannot, such as `frame-ancestors`). Everything the dashboard
 * runs, styles and shows comes from its own origin; images may also be inline
 * `data:` URLs. In Electron the page talks to the desk only through the
 * preload's IPC bridge, so it needs no network at all: `connect-src 'none'`.
 */

const DASHBOARD: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'none'"],
  'media-src': ["'none'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'worker-src': ["'none'"],
  'manifest-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export interface CspRelaxations {
  /** Where the page may open sockets or fetch: the preview's bridge, a dev server's hot reload. */
  connect?: readonly string[];
  /** The Vite dev server injects `<style>` tags; never in a build. */
  inlineStyles?: boolean;
}

export function dashboardCsp(relax: CspRelaxations = {}): string {
  const directives: Record<string, readonly string[]> = { ...DASHBOARD };
  if (relax.connect !== undefined && relax.connect.length > 0) directives['connect-src'] = ["'self'", ...relax.connect];
  if (relax.inlineStyles === true) directives['style-src'] = ["'self'", "'unsafe-inline'"];
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
