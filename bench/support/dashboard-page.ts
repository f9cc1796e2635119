/**
 * What the dashboard benchmark runs inside the page, and how it reads it back.
 *
 * The instrumentation is an init script (plain JavaScript text: the bench's
 * tsconfig has no DOM types, and nothing of it ships with the renderer). It
 * keeps everything in `window.__dashBench`:
 *
 * - `longtasks`: every main-thread long task (`PerformanceObserver`, type
 *   `longtask`, buffered), as [startTime, duration].
 * - `bridge`: when the page got each `appointment.updated` frame from the
 *   preview host. The page's WebSocket is subclassed so that the first
 *   'message' listener, registered before the renderer's own, stamps it.
 * - `board`: after `armBoard()`, every change of a row's `data-status`
 *   (MutationObserver) as [id, status, mutatedAt, paintedAt]. "Painted" is
 *   the end of the frame that shows it: a `requestAnimationFrame` callback
 *   posts a MessageChannel message, whose task runs after that frame's
 *   style, layout and paint (the same approximation web-vitals uses for the
 *   next paint). Raster and compositing on other threads come after it.
 * - `boot`: after a reload, the first painted frame showing the bell's unread
 *   count, and the first showing rows of the notification list (when
 *   `sessionStorage['dash-bench-open']` is set, the script clicks the
 *   Notifications button the moment it exists, as someone who had that screen
 *   open would see it).
 *
 * Page times are `performance.now()`; `performance.timeOrigin + now` is on the
 * same epoch scale as Node's `performance.timeOrigin + performance.now()`, up
 * to an offset that `clockOffset` measures.
 */
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { z } from 'zod';

export const INSTRUMENT = String.raw`(() => {
  if (window.__dashBench) return;
  const bench = {
    longtasks: [],
    bridge: [],
    board: [],
    boot: { bellAt: null, bellPaintAt: null, bellText: null, listAt: null, listPaintAt: null, listRows: 0, openedAt: null },
    armed: false,
  };
  window.__dashBench = bench;

  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    bench.longtaskError = String(e);
  }

  const afterPaint = (cb) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => cb(performance.now());
      channel.port2.postMessage(null);
    });

  const NativeSocket = window.WebSocket;
  const ID = /"kind":"appointment\.updated","appointment":\{"id":(\d+)/;
  const STATUS = /"status":"([^"]*)"/;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (m) => {
        const at = performance.now();
        if (typeof m.data !== 'string') return;
        const id = ID.exec(m.data);
        if (!id) return;
        const status = STATUS.exec(m.data.slice(id.index));
        bench.bridge.push([Number(id[1]), status ? status[1] : '', at]);
      });
    }
  };

  // Board rows: status changes, each with the end of the frame that painted it.
  let waiting = [];
  const rowOf = (node) => (node && node.nodeType === 1 && node.hasAttribute('data-appointment-id') ? node : null);
  const note = (el, at) => {
    const entry = [Number(el.getAttribute('data-appointment-id')), el.getAttribute('data-status') || '', at, null];
    bench.board.push(entry);
    waiting.push(entry);
    if (waiting.length === 1) {
      afterPaint((paintedAt) => {
        for (const e of waiting) e[3] = paintedAt;
        waiting = [];
      });
    }
  };
  const boardObserver = new MutationObserver((records) => {
    const at = performance.now();
    for (const r of records) {
      if (r.type === 'attributes') {
        const row = rowOf(r.target);
        if (row) note(row, at);
      } else {
        // A row re-created instead of patched counts too.
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (rowOf(n)) note(n, at);
          for (const inner of n.querySelectorAll('[data-appointment-id]')) note(inner, at);
        }
      }
    }
  });
  bench.armBoard = () => {
    if (bench.armed) return;
    bench.armed = true;
    boardObserver.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  };
  bench.disarmBoard = () => {
    bench.armed = false;
    boardObserver.disconnect();
  };

  // Boot: the bell's count and the list's first rows, each with the frame that painted it.
  const autoOpen = sessionStorage.getItem('dash-bench-open') === '1';
  const boot = bench.boot;
  const bootObserver = new MutationObserver(() => {
    const at = performance.now();
    if (boot.bellAt === null) {
      const badge = document.querySelector('[data-testid="unread-count"]');
      const text = badge ? (badge.textContent || '').trim() : '';
      if (badge && badge.style.display !== 'none' && text !== '') {
        boot.bellAt = at;
        boot.bellText = text;
        afterPaint((p) => (boot.bellPaintAt = p));
      }
    }
    if (autoOpen && boot.openedAt === null) {
      const button = document.querySelector('nav [data-screen="notifications"]');
      if (button) {
        boot.openedAt = at;
        button.click();
      }
    }
    if (autoOpen && boot.listAt === null) {
      const rows = document.querySelectorAll('[data-notification-id]').length;
      if (rows > 0) {
        boot.listAt = at;
        boot.listRows = rows;
        afterPaint((p) => (boot.listPaintAt = p));
      }
    }
    if (boot.bellAt !== null && (!autoOpen || boot.listAt !== null)) bootObserver.disconnect();
  });
  bootObserver.observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['style'] });
})();`;

const PageNumber = z.number();

export const BoardData = z.object({
  longtasks: z.array(z.tuple([PageNumber, PageNumber])),
  bridge: z.array(z.tuple([z.number().int(), z.string(), PageNumber])),
  board: z.array(z.tuple([z.number().int(), z.string(), PageNumber, PageNumber.nullable()])),
  timeOrigin: PageNumber,
});
export type BoardData = z.infer<typeof BoardData>;

export const BootData = z.object({
  timeOrigin: PageNumber,
  bellAt: PageNumber.nullable(),
  bellPaintAt: PageNumber.nullable(),
  bellText: z.string().nullable(),
  listAt: PageNumber.nullable(),
  listPaintAt: PageNumber.nullable(),
  listRows: z.number().int(),
  openedAt: PageNumber.nullable(),
  fcp: PageNumber.nullable(),
  domContentLoaded: PageNumber.nullable(),
  longtasks: z.array(z.tuple([PageNumber, PageNumber])),
});
export type BootData = z.infer<typeof BootData>;

/** Reads (and, with `drain`, empties) the board buffers. */
export async function readBoard(page: Page, drain: boolean): Promise<BoardData> {
  const raw: unknown = await page.evaluate(`(() => {
    const b = window.__dashBench;
    const out = { longtasks: b.longtasks.slice(), bridge: b.bridge.slice(), board: b.board.slice(), timeOrigin: performance.timeOrigin };
    if (${drain ? 'true' : 'false'}) { b.longtasks.length = 0; b.bridge.length = 0; b.board.length = 0; }
    return out;
  })()`);
  return BoardData.parse(raw);
}

export async function readBoot(page: Page): Promise<BootData> {
  const raw: unknown = await page.evaluate(`(() => {
    const b = window.__dashBench;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      ...b.boot,
      timeOrigin: performance.timeOrigin,
      fcp: fcp ? fcp.startTime : null,
      domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
      longtasks: b.longtasks.slice(),
    };
  })()`);
  return BootData.parse(raw);
}

/** Node's clock on the epoch scale (the same scale as the page's `timeOrigin + now()`). */
export const nodeEpoch = (): number => performance.timeOrigin + performance.now();

/**
 * page epoch − Node epoch, from the round trip with the smallest duration of
 * `samples` (the page read is taken as happening mid-way): the error is at
 * most half that round trip, which is returned as `errorMs`.
 */
export async function clockOffset(page: Page, samples = 15): Promise<{ offsetMs: number; errorMs: number }> {
  let best = { offsetMs: 0, errorMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < samples; i++) {
    const before = nodeEpoch();
    const pageAt = z.number().parse(await page.evaluate('performance.timeOrigin + performance.now()'));
    const after = nodeEpoch();
    const errorMs = (after - before) / 2;
    if (errorMs < best.errorMs) best = { offsetMs: pageAt - (before + after) / 2, errorMs };
  }
  return best;
}
