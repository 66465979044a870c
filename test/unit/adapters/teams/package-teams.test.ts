import { readFileSync } from 'node:fs';
import { inflateRawSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildTeamsPackage } from '../../../../scripts/package-teams.js';
import { colorIcon, outlineIcon } from '../../../../scripts/teams/icons.js';
import { crc32 } from '../../../../scripts/teams/png.js';

const APP_ID = '0a0a0a0a-1111-2222-3333-444444444444';

/** Read a ZIP through its central directory, checking every CRC. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(at)).toBe(0x02014b50);
    const crc = buf.readUInt32LE(at + 16);
    const packedSize = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = inflateRawSync(buf.subarray(dataStart, dataStart + packedSize));
    expect(crc32(data), `CRC of ${name}`).toBe(crc);
    files.set(name, data);
    at += 46 + nameLen;
  }
  return files;
}

function decodePng(png: Buffer): { width: number; height: number; colorType: number; pixels: number[][] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let at = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('ascii');
    const data = png.subarray(at + 8, at + 8 + len);
    expect(crc32(png.subarray(at + 4, at + 8 + len))).toBe(png.readUInt32BE(at + 8 + len));
    if (type === 'IHDR') [width, height, colorType] = [data.readUInt32BE(0), data.readUInt32BE(4), data[9]!];
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels: number[][] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (width * 4 + 1) + 1 + x * 4;
      pixels.push([raw[o]!, raw[o + 1]!, raw[o + 2]!, raw[o + 3]!]);
    }
  }
  return { width, height, colorType, pixels };
}

describe('Teams app package', () => {
  it('holds the manifest with the app id filled in, and both icons', () => {
    const files = unzip(buildTeamsPackage(process.cwd(), APP_ID.toUpperCase()));
    expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.$schema).toContain('/v1.22/');
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual(['migration-check', 'cluster-health', 'help']);
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(files.get('color.png')).toEqual(readFileSync('manifests/teams/color.png'));
  });

  it('refuses a missing or malformed app id with a message naming TEAMS_APP_ID', () => {
    expect(() => buildTeamsPackage(process.cwd(), undefined)).toThrow(/TEAMS_APP_ID .* it is not set/);
    expect(() => buildTeamsPackage(process.cwd(), 'my-bot')).toThrow(/TEAMS_APP_ID must be .* got "my-bot"/);
  });
});

describe('Teams icons', () => {
  it('color.png is 192 × 192 RGBA, opaque, and the committed file is what the script draws', () => {
    const committed = readFileSync('manifests/teams/color.png');
    expect(committed).toEqual(colorIcon());
    const png = decodePng(committed);
    expect([png.width, png.height, png.colorType]).toEqual([192, 192, 6]);
    expect(png.pixels.every((p) => p[3] === 255)).toBe(true);
  });

  it('outline.png is 32 × 32, white on a transparent background', () => {
    const committed = readFileSync('manifests/teams/outline.png');
    expect(committed).toEqual(outlineIcon());
    const png = decodePng(committed);
    expect([png.width, png.height, png.colorType]).toEqual([32, 32, 6]);
    expect(png.pixels.every(([r, g, b]) => r === 255 && g === 255 && b === 255)).toBe(true);
    expect(png.pixels.filter((p) => p[3] === 0).length).toBeGreaterThan(32 * 32 * 0.5);
    expect(png.pixels.some((p) => p[3] === 255)).toBe(true);
  });
});
