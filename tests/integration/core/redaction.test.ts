import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/main/core/api/client';
import { DeskConfig } from '../../../src/main/core/config/schema';
import { DeskService, fixedSettings, memoryTokenStore } from '../../../src/main/core/desk/desk-service';
import { memoryLogger } from '../../../src/main/core/log';
import type { DeskEvent } from '../../../src/shared/bridge';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { plainServer, type PlainServer } from '../../helpers/core';
import { closeAfterEach } from '../../helpers/close-after-each';

/**
 * No secret and no patient data in errors and logs: a server that answers
 * every path with bodies holding a token-shaped and a patient-name-shaped
 * string, in every broken shape the client reports (cut-short JSON, HTML,
 * plain text, a redirect carrying them in its query, JSON the desk cannot
 * read, a debug-mode 500 message), and nothing the desk says or logs
 * repeats either string.
 */

const TOKEN = '41|Vv3ryS3cretT0kenValue9aB8cD7eF6gH5iJ4kL3mN2oP1q';
const PATIENT = 'Zelda Quartermaine';
const leaks = (text: string) => [TOKEN, PATIENT, 'Quartermaine', 'Vv3ryS3cret'].filter((s) => text.includes(s));

const open = closeAfterEach();

type Answer = (res: ServerResponse) => void;
const json = (status: number, body: string): Answer => (res) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
const BROKEN: Record<string, Answer> = {
  html: (res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<html><title>${PATIENT} ${TOKEN}</title><body>${PATIENT}</body></html>`),
  text: (res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${PATIENT} ${TOKEN}`),
  truncated: json(200, `{"token":"${TOKEN}","user":{"id":5,"name":"${PATIENT}","em`),
  redirect: (res) => res.writeHead(302, { Location: `/login?token=${encodeURIComponent(TOKEN)}&patient=${encodeURIComponent(PATIENT)}` }).end(),
  unreadable: json(200, JSON.stringify({ data: [{ id: 'x', patient_name: PATIENT, starts_at: `${PATIENT} ${TOKEN}`, doctor: { id: 3 }, patient: { id: 4 } }] })),
  depthBomb: json(200, `{"data":${'['.repeat(5000)}${']'.repeat(5000)}}`),
  debug500: json(500, JSON.stringify({ message: `SQLSTATE[23000]: where patient_name = '${PATIENT}' and token = '${TOKEN}'` })),
  html404: (res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end(`<title>${PATIENT}</title>`),
  html502: (res) => res.writeHead(502, { 'Content-Type': 'text/html' }).end(`<title>502 ${PATIENT}</title>`),
};

async function server(route: (path: string, req: IncomingMessage) => Answer): Promise<PlainServer> {
  const s = await plainServer((req, res) => route((req.url ?? '').split('?')[0] ?? '', req)(res));
  open.push(s);
  return s;
}

describe('errors never quote what the server sent', () => {
  it.each(Object.keys(BROKEN))('%s answers, on every kind of call', async (kind) => {
    const answer = BROKEN[kind] as Answer;
    const s = await server(() => answer);
    const logger = memoryLogger();
    const api = new ApiClient({ baseUrl: s.url, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, logger });
    api.setToken('1|desk-token');
    const calls: Array<() => Promise<unknown>> = [
      () => api.login('vera@clinic.test', 'secret'),
      () => api.user(),
      () => api.members(),
      () => api.notificationsPage(0),
      () => api.appointments('2026-11-26'),
      () => api.consultations(),
      () => api.conversations(),
      () => api.messages(7),
      () => api.markNotificationRead(3),
      () => api.sendMessage(7, 'hi', 'c1'),
      () => api.authorizeChannel('1.2', 'private-notifications.5'),
    ];
    let failures = 0;
    for (const call of calls) {
      try {
        await call();
      } catch (error) {
        failures++;
        const said = JSON.stringify({ message: error instanceof Error ? error.message : String(error), ...(error as object) });
        expect(leaks(said), said).toEqual([]);
      }
    }
    expect(failures).toBeGreaterThan(0);
    expect(leaks(JSON.stringify(logger.records))).toEqual([]);
  });
});

describe('a desk against a clinic whose lists break', () => {
  it('sign-in, sync, features and logs say what failed without the token or the patient', async () => {
    const lists = Object.values(BROKEN);
    let i = 0;
    const s = await server((path) => {
      if (path === '/api/login') return json(200, JSON.stringify({ token: TOKEN, user: { id: 5, name: 'Vera Quispe', email: 'vera@clinic.test', role: 'reception', clinic_id: 1 } }));
      if (path === '/api/user') return json(200, JSON.stringify({ id: 5, name: 'Vera Quispe', email: 'vera@clinic.test', role: 'reception', clinic_id: 1 }));
      if (path === '/api/logout') return (res) => res.writeHead(204).end();
      return lists[i++ % lists.length] as Answer;
    });
    const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-redaction-'));
    open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const logger = memoryLogger();
    const config = DeskConfig.parse({ apiUrl: s.url, transport: { kind: 'polling' }, settings: { ...DEFAULT_SETTINGS, pollingIntervalSec: 5 } });
    const desk = new DeskService({ config, settings: fixedSettings(config.settings, []), host: 'node', appVersion: 'test', logger, tokens: memoryTokenStore(), cacheDir: dir });
    open.push({ close: () => desk.close() });
    const events: DeskEvent[] = [];
    desk.on((e) => events.push(e));
    const signedIn = await desk.signIn({ apiUrl: s.url, email: 'vera@clinic.test', password: 'secret' });
    expect(signedIn.ok).toBe(true);
    for (let round = 0; round < 3; round++) await desk.reconnect().then(() => new Promise((r) => setTimeout(r, 150)));
    const features = (await desk.getDiagnostics()).features;
    // Every list failed somehow, and each says so.
    expect(features.filter((f) => f.state !== 'available' || f.dropped > 0).length).toBeGreaterThan(0);
    expect(features.some((f) => f.error !== null)).toBe(true);
    const said = JSON.stringify({ events, features, logs: logger.records, report: await desk.diagnosticsReport() });
    expect(leaks(said).filter((l) => l !== TOKEN && l !== 'Vv3ryS3cret')).toEqual([]);
    // The token the server issued is the desk's own secret: never in what it says or logs either.
    expect(said.includes(TOKEN)).toBe(false);

    // A sign-in answer cut short in the middle of the token's JSON: the error names the failure only.
    const cut = await server(() => BROKEN.truncated as Answer);
    const result = await desk.signIn({ apiUrl: cut.url, email: 'vera@clinic.test', password: 'secret' });
    expect(result.ok).toBe(false);
    expect(leaks(JSON.stringify(result))).toEqual([]);
  }, 20_000);
});
