/**
 * The Windows and macOS application icons, drawn at every size by the same
 * code as build/icon.png (drawAppIcon in src/main/electron/tray-icon.ts).
 *
 * Why not let electron-builder convert build/icon.png: a 512 px PNG is enough
 * for Linux (electron-builder installs it as the hicolor 512x512 icon and
 * desktops scale it), but on Windows and macOS electron-builder would
 * download an icon tool at build time and scale the one 512 px picture down
 * to 16 px and up to 1024 px. macOS wants 1024 px for the Retina 512 pt slot,
 * and drawing each size natively keeps the cross crisp at 16 and 32 px.
 *
 * Regenerate with `node bin/run-ts.mjs build/platform-icons.ts`; a test
 * checks the committed files are current.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drawAppIcon, type RgbaCanvas } from '../src/main/electron/tray-icon';

export const ICO_FILE = fileURLToPath(new URL('./icon.ico', import.meta.url));
export const ICNS_FILE = fileURLToPath(new URL('./icon.icns', import.meta.url));

/** Windows shell sizes (100–250 % scaling of 16, 24, 32 and 48 px, and the 256 px "jumbo" view). */
export const ICO_SIZES = [16, 20, 24, 32, 40, 48, 64, 256] as const;

/** ICNS element types with PNG payloads, and their pixel sizes (@1x and @2x of 16, 32, 128, 256, 512 pt). */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
] as const;

/**
 * An ICO file: 256 px as PNG (the only size Windows expects compressed), the
 * rest as 32-bit bitmaps, which every consumer reads, NSIS's icon replacement
 * and old shell code included.
 */
export function icoFile(draw: (size: number) => RgbaCanvas = drawAppIcon): Buffer {
  const images = ICO_SIZES.map((size) => (size >= 256 ? draw(size).png() : icoBitmap(draw(size))));
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  const directory = Buffer.alloc(16 * images.length);
  let offset = header.length + directory.length;
  images.forEach((image, i) => {
    const size = ICO_SIZES[i] ?? 0;
    const at = i * 16;
    directory.writeUInt8(size >= 256 ? 0 : size, at); // 0 means 256
    directory.writeUInt8(size >= 256 ? 0 : size, at + 1);
    directory.writeUInt8(0, at + 2); // no palette
    directory.writeUInt8(0, at + 3);
    directory.writeUInt16LE(1, at + 4); // colour planes
    directory.writeUInt16LE(32, at + 6); // bits per pixel
    directory.writeUInt32LE(image.length, at + 8);
    directory.writeUInt32LE(offset, at + 12);
    offset += image.length;
  });
  return Buffer.concat([header, directory, ...images]);
}

/** BITMAPINFOHEADER, bottom-up BGRA pixels, then the 1-bit AND mask (set where fully transparent). */
function icoBitmap(canvas: RgbaCanvas): Buffer {
  const { width, height, data } = canvas;
  const maskStride = Math.ceil(width / 32) * 4;
  const pixels = Buffer.alloc(width * height * 4);
  const mask = Buffer.alloc(maskStride * height);
  for (let y = 0; y < height; y++) {
    const row = height - 1 - y;
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      const to = (row * width + x) * 4;
      const alpha = data[from + 3] ?? 0;
      pixels[to] = data[from + 2] ?? 0;
      pixels[to + 1] = data[from + 1] ?? 0;
      pixels[to + 2] = data[from] ?? 0;
      pixels[to + 3] = alpha;
      if (alpha === 0) {
        const byte = row * maskStride + (x >> 3);
        mask[byte] = (mask[byte] ?? 0) | (0x80 >> (x & 7));
      }
    }
  }
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(width, 4);
  info.writeInt32LE(height * 2, 8); // XOR image and AND mask stacked
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(0, 16); // BI_RGB
  info.writeUInt32LE(pixels.length + mask.length, 20);
  return Buffer.concat([info, pixels, mask]);
}

/** An ICNS file: the 'icns' header, then one element (type, length, PNG) per entry of ICNS_TYPES. */
export function icnsFile(draw: (size: number) => RgbaCanvas = drawAppIcon): Buffer {
  const pngs = new Map<number, Buffer>();
  const elements = ICNS_TYPES.map(([type, size]) => {
    let png = pngs.get(size);
    if (png === undefined) {
      png = draw(size).png();
      pngs.set(size, png);
    }
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const total = 8 + elements.reduce((sum, element) => sum + element.length, 0);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(total, 4);
  return Buffer.concat([head, ...elements]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ICO_FILE, icoFile());
  writeFileSync(ICNS_FILE, icnsFile());
  process.stdout.write(`wrote ${ICO_FILE}\nwrote ${ICNS_FILE}\n`);
}
