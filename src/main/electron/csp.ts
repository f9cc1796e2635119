/**
 * The dashboard's Content-Security-Policy, sent as a response header (a
 * header cannot be removed by injected markup, and it covers what a `<meta>`
 * tag cannot, such as `frame-ancestors`). The renderer talks to the desk only
 * through the preload's IPC bridge, so it needs no network at all:
 * `connect-src 'none'`. Everything it runs, styles and shows comes from the
 * app's own origin (`app://desk`); images may also be inline `data:` URLs.
 */

const PRODUCTION: Record<string, string[]> = {
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

/**
 * `devServer`: the Vite dev server's origin under `electron-vite dev`, whose
 * hot reload needs a WebSocket back to it and injects `<style>` tags.
 */
export function contentSecurityPolicy(devServer: URL | null = null): string {
  const directives = { ...PRODUCTION };
  if (devServer) {
    const ws = `${devServer.protocol === 'https:' ? 'wss' : 'ws'}://${devServer.host}`;
    directives['connect-src'] = ["'self'", ws];
    directives['style-src'] = ["'self'", "'unsafe-inline'"];
  }
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
