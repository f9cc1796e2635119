import { encodePng } from './png';

/**
 * The tray icon, drawn in code: the Clinic Desk mark (a white cross on a teal
 * tile), a dot whose colour is the connection state, and, where the OS has no
 * badge of its own (Windows, Linux), the unread count in a red badge. Shapes
 * are supersampled so edges stay smooth at 16 and 32 pixels.
 */

export type TrayStatus = 'connected' | 'reconnecting' | 'offline' | 'signed-out';

export type Rgb = readonly [number, number, number];

export const COLORS = {
  tile: [0x0f, 0x76, 0x6e],
  mark: [0xff, 0xff, 0xff],
  badge: [0xdc, 0x26, 0x26],
  status: {
    connected: [0x16, 0xa3, 0x4a],
    reconnecting: [0xf5, 0x9e, 0x0b],
    offline: [0xdc, 0x26, 0x26],
    'signed-out': [0x94, 0xa3, 0xb8],
  },
} as const satisfies { tile: Rgb; mark: Rgb; badge: Rgb; status: Record<TrayStatus, Rgb> };

export class RgbaCanvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 4);
  }

  pixel(x: number, y: number): [number, number, number, number] {
    const i = (y * this.width + x) * 4;
    return [this.data[i] ?? 0, this.data[i + 1] ?? 0, this.data[i + 2] ?? 0, this.data[i + 3] ?? 0];
  }

  /** Paints `color` wherever `inside` holds, with 4×4 supersampling for the edges. */
  fill(inside: (x: number, y: number) => boolean, color: Rgb, alpha = 1): void {
    const n = 4;
    for (let py = 0; py < this.height; py++) {
      for (let px = 0; px < this.width; px++) {
        let hits = 0;
        for (let sy = 0; sy < n; sy++) for (let sx = 0; sx < n; sx++) if (inside(px + (sx + 0.5) / n, py + (sy + 0.5) / n)) hits++;
        if (hits > 0) this.blend(px, py, color, (alpha * hits) / (n * n));
      }
    }
  }

  private blend(x: number, y: number, [r, g, b]: Rgb, a: number): void {
    const i = (y * this.width + x) * 4;
    const da = (this.data[i + 3] ?? 0) / 255;
    const oa = a + da * (1 - a);
    const mix = (src: number, dst: number) => Math.round((src * a + dst * da * (1 - a)) / oa);
    this.data[i] = mix(r, this.data[i] ?? 0);
    this.data[i + 1] = mix(g, this.data[i + 1] ?? 0);
    this.data[i + 2] = mix(b, this.data[i + 2] ?? 0);
    this.data[i + 3] = Math.round(oa * 255);
  }

  png(): Buffer {
    return encodePng(this.width, this.height, this.data);
  }
}

const circle = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) => x >= x0 && x < x1 && y >= y0 && y < y1;
function roundedSquare(x0: number, y0: number, x1: number, y1: number, r: number) {
  return (x: number, y: number) => {
    if (!rect(x0, y0, x1, y1)(x, y)) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

// 3×5 pixel glyphs: enough for a count ("1" … "9", "9+").
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '001', '010', '010'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '+': ['000', '010', '111', '010', '000'],
};

/** What the badge says: nothing, a digit, or "9+" (more would not be legible at tray size). */
export function badgeLabel(count: number): string {
  if (count <= 0) return '';
  return count > 9 ? '9+' : String(count);
}

function drawLabel(canvas: RgbaCanvas, label: string, cx: number, cy: number, scale: number, color: Rgb): void {
  const glyphW = 3 * scale;
  const gap = scale;
  const total = label.length * glyphW + (label.length - 1) * gap;
  const x0 = Math.round(cx - total / 2);
  const y0 = Math.round(cy - (5 * scale) / 2);
  [...label].forEach((ch, i) => {
    const rows = GLYPHS[ch];
    if (!rows) return;
    const gx = x0 + i * (glyphW + gap);
    canvas.fill((x, y) => {
      const col = Math.floor((x - gx) / scale);
      const row = Math.floor((y - y0) / scale);
      return row >= 0 && row < 5 && col >= 0 && col < 3 && rows[row]?.[col] === '1';
    }, color);
  });
}

export interface TrayIconState {
  status: TrayStatus;
  unread: number;
  /** Draw the count into the icon (where the OS shows no badge of its own). */
  drawCount: boolean;
}

export function drawTrayIcon(state: TrayIconState, size = 32): RgbaCanvas {
  const s = size;
  const canvas = new RgbaCanvas(s, s);
  canvas.fill(roundedSquare(s * 0.03, s * 0.03, s * 0.97, s * 0.97, s * 0.22), COLORS.tile);
  const arm = s * 0.1;
  const len = s * 0.28;
  const c = s / 2;
  canvas.fill((x, y) => rect(c - arm, c - len, c + arm, c + len)(x, y) || rect(c - len, c - arm, c + len, c + arm)(x, y), COLORS.mark);
  // Status dot, bottom right, ringed in white so it reads on any panel colour.
  canvas.fill(circle(s * 0.78, s * 0.78, s * 0.22), COLORS.mark);
  canvas.fill(circle(s * 0.78, s * 0.78, s * 0.16), COLORS.status[state.status]);
  const label = state.drawCount ? badgeLabel(state.unread) : '';
  if (label !== '') {
    const r = s * (label.length > 1 ? 0.3 : 0.26);
    const cx = s - r - s * 0.01;
    const cy = r + s * 0.01;
    canvas.fill(circle(cx, cy, r + s * 0.04), COLORS.mark);
    canvas.fill(circle(cx, cy, r), COLORS.badge);
    drawLabel(canvas, label, cx, cy, Math.max(1, Math.floor(s / 16)), COLORS.mark);
  }
  return canvas;
}

/** The Windows taskbar overlay: a red disc with the count. */
export function drawBadge(count: number, size = 32): RgbaCanvas {
  const canvas = new RgbaCanvas(size, size);
  canvas.fill(circle(size / 2, size / 2, size / 2 - 0.5), COLORS.badge);
  drawLabel(canvas, badgeLabel(count), size / 2, size / 2, Math.max(1, Math.floor(size / 10)), COLORS.mark);
  return canvas;
}

/** The application icon (window, installer): the mark alone, large. */
export function drawAppIcon(size = 512): RgbaCanvas {
  const s = size;
  const canvas = new RgbaCanvas(s, s);
  canvas.fill(roundedSquare(s * 0.06, s * 0.06, s * 0.94, s * 0.94, s * 0.2), COLORS.tile);
  const arm = s * 0.09;
  const len = s * 0.27;
  const c = s / 2;
  canvas.fill((x, y) => rect(c - arm, c - len, c + arm, c + len)(x, y) || rect(c - len, c - arm, c + len, c + arm)(x, y), COLORS.mark);
  return canvas;
}
