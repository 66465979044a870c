import { encodePng, type Rgba } from './png.js';

// The two Teams app icons, drawn from simple shapes: two host boxes with a two-way arrow
// between them (a live migration). color.png: 192 × 192 on the accent colour; outline.png:
// 32 × 32, white on transparent, as the Teams store rules require.

export const ACCENT = '#2B5797';
const ACCENT_RGB: [number, number, number] = [0x2b, 0x57, 0x97];

/** Is the unit-square point (u, v) on the glyph? */
function onGlyph(u: number, v: number): boolean {
  const box = (x0: number, x1: number) => u >= x0 && u <= x1 && v >= 0.3 && v <= 0.7 && !(u > x0 + 0.05 && u < x1 - 0.05 && v > 0.35 && v < 0.65);
  const shaft = u >= 0.38 && u <= 0.62 && Math.abs(v - 0.5) <= 0.03;
  const head = (tipU: number, dir: 1 | -1) => {
    const d = (tipU - u) * dir; // distance back from the tip
    return d >= 0 && d <= 0.1 && Math.abs(v - 0.5) <= d * 0.9;
  };
  return box(0.08, 0.36) || box(0.64, 0.92) || shaft || head(0.62, 1) || head(0.38, -1);
}

/** Supersampled coverage of a pixel, for smooth edges. */
function coverage(x: number, y: number, size: number, inset: number): number {
  let hits = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const u = ((x + (i + 0.5) / 4) / size - inset) / (1 - 2 * inset);
      const v = ((y + (j + 0.5) / 4) / size - inset) / (1 - 2 * inset);
      if (u >= 0 && u <= 1 && v >= 0 && v <= 1 && onGlyph(u, v)) hits++;
    }
  }
  return hits / 16;
}

export function colorIcon(): Buffer {
  const size = 192;
  return encodePng(size, size, (x, y) => {
    const a = coverage(x, y, size, 0.12);
    const mix = (c: number) => Math.round(c * (1 - a) + 255 * a);
    return [mix(ACCENT_RGB[0]), mix(ACCENT_RGB[1]), mix(ACCENT_RGB[2]), 255] as Rgba;
  });
}

export function outlineIcon(): Buffer {
  const size = 32;
  return encodePng(size, size, (x, y) => [255, 255, 255, Math.round(255 * coverage(x, y, size, 0.02))] as Rgba);
}
