// The bundled CJK font: named first everywhere, and only its WOFF2 subsets
// reach the bundle. The oracle for the CSS transform is the real
// @fontsource/noto-sans-sc CSS shipped in node_modules.
/// <reference types="node" />
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { woff2Only, woff2OnlyPlugin } from './build/woff2Only';
import { FONT_FAMILY, MONO_FAMILY, UI_FONT } from './fonts';

const pkgDir = path.dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-sc/package.json'));
const css = (weight: string) => readFileSync(path.join(pkgDir, `${weight}.css`), 'utf8');
// The font files the package ships.
const shipped = new Set(readdirSync(path.join(pkgDir, 'files')));
const styleCss = readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'style.css'), 'utf8');

test('the UI font family names the bundled Noto Sans SC first; monospace falls back to it', () => {
  expect(UI_FONT).toBe('Noto Sans SC');
  expect(FONT_FAMILY.startsWith('"Noto Sans SC",')).toBe(true);
  expect(MONO_FAMILY.trim().endsWith('"Noto Sans SC"')).toBe(true);
  expect(styleCss).toMatch(/body\s*\{[^}]*font-family:\s*'Noto Sans SC'/);
});

for (const weight of ['400', '600']) {
  const raw = css(weight);
  test(`@fontsource/noto-sans-sc/${weight}.css keeps every subset, each with only its woff2 file`, () => {
    const faces = raw.match(/@font-face\s*\{[^}]*\}/g) ?? [];
    expect(faces.length).toBeGreaterThan(90); // ~100 unicode-range subsets
    expect(raw).toMatch(/\.woff\) format\('woff'\)/); // the fallback is there before
    const out = woff2Only(raw);
    const outFaces = out.match(/@font-face\s*\{[^}]*\}/g) ?? [];
    expect(outFaces.length).toBe(faces.length);
    expect(out).not.toMatch(/\.woff\)/);
    for (const f of outFaces) {
      const urls = [...f.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]);
      expect(urls).toHaveLength(1);
      expect(urls[0]).toMatch(/\.woff2$/);
      // The file it names exists in the package.
      expect(shipped.has(path.basename(urls[0]))).toBe(true);
      expect(f).toMatch(/unicode-range:/);
      expect(f).toMatch(new RegExp(`font-weight: ${weight};`));
    }
    // The subset with 评 and 估 (U+8BC4, U+4F30) is among them.
    const covers = (cp: number) =>
      outFaces.some((f) =>
        (f.match(/unicode-range:([^;]*);/)?.[1] ?? '').split(',').some((r) => {
          const [a, b] = r.trim().replace(/^U\+/i, '').split('-').map((x) => parseInt(x, 16));
          return cp >= a && cp <= (b ?? a);
        }),
      );
    expect(covers(0x8bc4) && covers(0x4f30)).toBe(true);
  });
}

test('the Vite plugin touches only @fontsource CSS', () => {
  const p = woff2OnlyPlugin();
  const transform = p.transform as (code: string, id: string) => { code: string } | null;
  const css = "src: url(./a.woff2) format('woff2'), url(./a.woff) format('woff');";
  expect(transform(css, '/x/node_modules/@fontsource/noto-sans-sc/400.css')!.code).toBe("src: url(./a.woff2) format('woff2');");
  expect(transform(css, '/x/src/style.css')).toBeNull();
});
