import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeJsonFileAtomic } from '../core/config/json-file';

/**
 * Where the dashboard window was and how big, between runs. The file is ours
 * but still read through a schema (a half-written or hand-edited file costs
 * the position, never the start), and a saved position is used only while it
 * is still on a connected screen (a laptop undocked from its second monitor
 * must not open the window off-screen).
 */

export const WindowState = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(200).max(20_000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowState>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 } as const;
/** How much of the window must be on a screen for the saved position to count. */
const MIN_VISIBLE = { width: 200, height: 100 } as const;

export function readWindowState(file: string): WindowState | null {
  try {
    const parsed = WindowState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  writeJsonFileAtomic(file, state);
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/** The bounds to open with: the saved ones if still visible (sized to fit that screen), else the default size, centred. */
export function placeWindow(saved: WindowState | null, workAreas: readonly Rect[]): Partial<Rect> & { width: number; height: number } {
  if (saved) {
    const screen = workAreas.find((area) => {
      const o = overlap(saved, area);
      return o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height;
    });
    if (screen) {
      const width = Math.min(saved.width, screen.width);
      const height = Math.min(saved.height, screen.height);
      return { x: saved.x, y: saved.y, width, height };
    }
  }
  const primary = workAreas[0];
  return {
    width: primary ? Math.min(DEFAULT_WINDOW_SIZE.width, primary.width) : DEFAULT_WINDOW_SIZE.width,
    height: primary ? Math.min(DEFAULT_WINDOW_SIZE.height, primary.height) : DEFAULT_WINDOW_SIZE.height,
  };
}
