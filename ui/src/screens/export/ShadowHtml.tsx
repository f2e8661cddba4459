// Shows a full HTML document (the report preview) inside a shadow root:
// its <style> cannot leak into the app and the app's styles do not leak in.
// No iframe (the CSP forbids frames); scripts are removed and never run.
import { useEffect, useRef } from 'react';

/** Removes active content and rewrites `html`/`body` selectors onto the wrapper. */
export function prepareReportHtml(html: string): string {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  const frag = tpl.content;
  frag.querySelectorAll('script, iframe, frame, object, embed, base, meta[http-equiv], link').forEach((n) => n.remove());
  frag.querySelectorAll('*').forEach((el) => {
    for (const a of Array.from(el.attributes)) {
      const v = a.value.trim().toLowerCase();
      if (a.name.toLowerCase().startsWith('on') || ((a.name === 'href' || a.name === 'src' || a.name === 'xlink:href') && v.startsWith('javascript:'))) {
        el.removeAttribute(a.name);
      }
    }
  });
  frag.querySelectorAll('style').forEach((s) => {
    s.textContent = (s.textContent ?? '')
      .replace(/@page[^{]*\{[^}]*\}/g, '')
      .replace(/(^|[\s,}>])(html|body)(?=[\s,{.:#[>])/g, '$1.report-root');
  });
  const wrapper = document.createElement('div');
  wrapper.className = 'report-root';
  wrapper.appendChild(frag);
  const host =
    ':host { display: block; background: #e9ecef; } ' +
    '.report-root { background: #fff; color: #1a1a1a; max-width: 800px; margin: 12px auto; padding: 24px 32px; box-shadow: 0 1px 4px rgba(0,0,0,.15); } ' +
    '.page-break { border-top: 1px dashed #bbb; margin-top: 24px; padding-top: 24px; } ' +
    'img { max-width: 100%; }';
  return `<style>${host}</style>${wrapper.outerHTML}`;
}

export function ShadowHtml({ html, height = 600, testid }: { html: string; height?: number; testid: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const root = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    root.innerHTML = prepareReportHtml(html);
  }, [html]);
  return <div ref={ref} data-testid={testid} style={{ height, overflow: 'auto', border: '1px solid #d9d9d9', borderRadius: 4 }} />;
}
