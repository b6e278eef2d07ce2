/**
 * Draws the app icons to Teams' spec: color.png 192x192 (full colour), outline.png 32x32 (white on
 * transparent): a shield, in the accent colour. Compiled with the server (npm run build:server), run
 * with `node dist/scripts/make-icons.js`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';

function shield(x: number, y: number): boolean {
  // Unit square coordinates: a rounded shield, wider at the top, pointed at the bottom.
  if (y < 0.12 || y > 0.9) return false;
  const halfWidth = y < 0.55 ? 0.36 : 0.36 * (1 - (y - 0.55) / 0.35);
  return Math.abs(x - 0.5) <= halfWidth;
}

function tick(x: number, y: number): boolean {
  const d1 = Math.abs(y - (0.5 + (x - 0.36))) < 0.045 && x >= 0.36 && x <= 0.46;
  const d2 = Math.abs(y - (0.6 - (x - 0.46) * 1.3)) < 0.045 && x >= 0.46 && x <= 0.66;
  return d1 || d2;
}

function draw(size: number, colour: boolean): PNG {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size;
      const y = (py + 0.5) / size;
      const i = (py * size + px) * 4;
      let rgba: [number, number, number, number];
      if (colour) rgba = shield(x, y) ? (tick(x, y) ? [255, 255, 255, 255] : [58, 90, 152, 255]) : [232, 238, 248, 255];
      else rgba = shield(x, y) && !tick(x, y) ? [255, 255, 255, 255] : [0, 0, 0, 0];
      png.data.set(rgba, i);
    }
  }
  return png;
}

const dir = resolve(__dirname, '..', '..', 'appPackage');
writeFileSync(resolve(dir, 'color.png'), PNG.sync.write(draw(192, true)));
writeFileSync(resolve(dir, 'outline.png'), PNG.sync.write(draw(32, false)));
process.stdout.write(`icons written to ${dir}\n`);
