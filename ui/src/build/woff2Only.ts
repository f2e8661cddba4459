// Build-time helper (used by vite.config.ts, tested by Vitest): the
// @fontsource CSS names a WOFF2 file and a WOFF fallback for every subset.
// WebKitGTK, the only engine the app runs in, reads WOFF2, so the fallback
// is cut from the CSS and Vite never copies the WOFF files into the bundle
// (the bundle carries half the bytes).
import type { Plugin } from 'vite';

/** `src: url(a.woff2) format('woff2'), url(a.woff) format('woff')` → only the woff2 source. */
export function woff2Only(css: string): string {
  return css.replace(/,\s*url\([^)]*\.woff\)\s*format\(['"]woff['"]\)/g, '');
}

/** The Vite plugin: applies [`woff2Only`] to the CSS of `@fontsource/*` packages. */
export function woff2OnlyPlugin(): Plugin {
  return {
    name: 'iovaudit-woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (/[\\/]@fontsource[\\/][^?]*\.css(\?|$)/.test(id)) return { code: woff2Only(code), map: null };
      return null;
    },
  };
}
