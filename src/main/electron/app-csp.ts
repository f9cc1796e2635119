import { dashboardCsp } from '../web/dashboard-csp';

/**
 * The Electron app's CSP (src/main/web/dashboard-csp.ts). `devServer`: the Vite dev
 * server's origin under `electron-vite dev`, whose hot reload needs a
 * WebSocket back to it and injects `<style>` tags.
 */
export function contentSecurityPolicy(devServer: URL | null = null): string {
  if (devServer === null) return dashboardCsp();
  return dashboardCsp({ connect: [`${devServer.protocol === 'https:' ? 'wss' : 'ws'}://${devServer.host}`], inlineStyles: true });
}
