// The UI font. Chinese must show on every machine, including one without
// any CJK system font (a fresh Debian, CI): Noto Sans SC (SIL OFL 1.1) is
// bundled from @fontsource/noto-sans-sc as WOFF2 subsets, each with its
// unicode-range, served from the app's own assets ('self' in the CSP's
// font-src). The webview fetches only the subsets a screen's text needs, so
// start-up reads a few small files, not the whole font.
// 400 = body text; 600 = Ant Design's strong weight (headings, <b>, bold
// pick the nearest, 600).
import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/600.css';

/** The family name the @fontsource CSS declares. */
export const UI_FONT = 'Noto Sans SC';

/** CSS font-family for the whole UI (Ant Design's token, body): the bundled font first. */
export const FONT_FAMILY = `"${UI_FONT}", -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif`;

/** Monospace text (hashes, paths, previews): Latin in a monospace font, Chinese in the bundled one. */
export const MONO_FAMILY = `"DejaVu Sans Mono", "Noto Sans Mono", Menlo, Consolas, monospace, "${UI_FONT}"`;
