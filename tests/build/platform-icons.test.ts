/**
 * build/icon.ico and build/icon.icns: well-formed containers with every size
 * drawn natively, and the committed files are what build/platform-icons.ts
 * draws today (regenerate: node bin/run-ts.mjs build/platform-icons.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ICNS_FILE, ICNS_TYPES, ICO_FILE, ICO_SIZES, icnsFile, icoFile } from '../../build/platform-icons';
import { COLORS, drawAppIcon } from '../../src/main/electron/tray-icon';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface IcoEntry {
  size: number;
  data: Buffer;
}

function readIco(file: Buffer): IcoEntry[] {
  expect(file.readUInt16LE(0)).toBe(0);
  expect(file.readUInt16LE(2)).toBe(1);
  const count = file.readUInt16LE(4);
  const entries: IcoEntry[] = [];
  let expectedOffset = 6 + 16 * count;
  for (let i = 0; i < count; i++) {
    const at = 6 + i * 16;
    const width = file.readUInt8(at) || 256;
    expect(file.readUInt8(at + 1) || 256).toBe(width);
    expect(file.readUInt16LE(at + 6)).toBe(32);
    const length = file.readUInt32LE(at + 8);
    const offset = file.readUInt32LE(at + 12);
    expect(offset).toBe(expectedOffset);
    expectedOffset += length;
    entries.push({ size: width, data: file.subarray(offset, offset + length) });
  }
  expect(expectedOffset).toBe(file.length);
  return entries;
}

function readIcns(file: Buffer): Array<{ type: string; data: Buffer }> {
  expect(file.toString('latin1', 0, 4)).toBe('icns');
  expect(file.readUInt32BE(4)).toBe(file.length);
  const elements: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at < file.length; ) {
    const length = file.readUInt32BE(at + 4);
    expect(length).toBeGreaterThan(8);
    elements.push({ type: file.toString('latin1', at, at + 4), data: file.subarray(at + 8, at + length) });
    at += length;
  }
  return elements;
}

const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

describe('build/icon.ico (Windows: app, installer, uninstaller, MSI)', () => {
  const file = readFileSync(ICO_FILE);

  it('is what build/platform-icons.ts draws', () => {
    expect(file.equals(icoFile())).toBe(true);
  });

  it('holds 16 to 256 px: 256 as PNG, the small sizes as 32-bit bitmaps with a mask', () => {
    const entries = readIco(file);
    expect(entries.map((e) => e.size)).toEqual([...ICO_SIZES]);
    for (const { size, data } of entries) {
      if (size === 256) {
        expect(data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
        expect(pngSize(data)).toEqual([256, 256]);
      } else {
        expect(data.readUInt32LE(0)).toBe(40);
        expect(data.readInt32LE(4)).toBe(size);
        expect(data.readInt32LE(8)).toBe(size * 2);
        expect(data.readUInt16LE(14)).toBe(32);
        expect(data.length).toBe(40 + size * size * 4 + Math.ceil(size / 32) * 4 * size);
      }
    }
  });

  it('16 px bitmap: the drawing, bottom-up in BGRA, transparent corners masked', () => {
    const entry = readIco(file).find((e) => e.size === 16)!;
    const canvas = drawAppIcon(16);
    const bgraAt = (x: number, y: number) => {
      const at = 40 + ((15 - y) * 16 + x) * 4;
      return [entry.data[at + 2], entry.data[at + 1], entry.data[at], entry.data[at + 3]];
    };
    expect(bgraAt(8, 8)).toEqual(canvas.pixel(8, 8));
    expect(bgraAt(8, 8).slice(0, 3)).toEqual([...COLORS.mark]);
    expect(bgraAt(3, 12)).toEqual(canvas.pixel(3, 12));
    expect(bgraAt(0, 0)[3]).toBe(0);
    const maskStart = 40 + 16 * 16 * 4;
    // Row y=0 (top) is the last mask row; its first bit is pixel (0, 0).
    expect((entry.data[maskStart + 15 * 4] ?? 0) & 0x80).toBe(0x80);
    expect((entry.data[maskStart + (15 - 8) * 4 + 1] ?? 0) & 0x80).toBe(0); // (8, 8) is opaque
  });
});

describe('build/icon.icns (macOS)', () => {
  const file = readFileSync(ICNS_FILE);

  it('is what build/platform-icons.ts draws', () => {
    expect(file.equals(icnsFile())).toBe(true);
  });

  it('has every slot up to 512 pt @2x (1024 px), each a PNG of its size', () => {
    const elements = readIcns(file);
    expect(elements.map((e) => e.type)).toEqual(ICNS_TYPES.map(([type]) => type));
    expect(elements.map((e) => e.type)).toContain('ic10');
    elements.forEach(({ data }, i) => {
      const size = ICNS_TYPES[i]![1];
      expect(data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(pngSize(data)).toEqual([size, size]);
    });
  });
});
