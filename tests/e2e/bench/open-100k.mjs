// Benchmark (not a test), run by scripts/bench-app.sh: the desktop app with a
// project of 100,000 evidence items (made by the ignored Rust test
// `evidence_page::make_bench_project`, path in $BENCH_PROJECT). Prints, each
// the median of RUNS launches:
//   1. launch → interactive home screen
//   2. open the project (chooser answered by the IOVAUDIT_E2E_PICK seam, debug
//      builds) → checklist shown (first requirement row visible)
//   3. evidence screen → first rows shown
//   4. search in the evidence (one title among 100,000) → the one row shown
// Each step starts after the app has settled (fonts loaded, 1.5 s idle).
// Times 2–4 are measured inside the page (performance.now() from the click or
// the input event to the first animation frame that shows the result, polled
// every frame), so WebDriver's round trips do not count. Time 1 is measured
// twice: from the WebDriver session request (includes tauri-driver starting
// WebKitWebDriver and the app) and, inside the page, from the webview's
// navigation start.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session, startDriver, stopDriver } from '../driver.mjs';

const dir = process.env.BENCH_PROJECT;
if (!dir) throw new Error('set BENCH_PROJECT to a .iovaudit folder');
const N = Number(process.env.BENCH_N || 100000);
const RUNS = Number(process.env.BENCH_RUNS || 3);
const pick = process.env.IOVAUDIT_E2E_PICK;
if (!pick) throw new Error('IOVAUDIT_E2E_PICK must be set (scripts/bench-app.sh does)');

// In the page: do `act`, then resolve with the ms until `done()` holds at an animation frame.
const timeIt = (act, done) => `
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    (${act})();
    const until = t0 + 60000;
    const tick = () => {
      if ((${done})()) return resolve(performance.now() - t0);
      if (performance.now() > until) return reject(new Error('timed out'));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });`;
const byTid = (id) => `document.querySelector('[data-testid="${id}"]')`;
// Each step starts from an app at rest: what the previous step set going
// (fonts of new glyphs, layout of a long list) is not charged to the next.
const settle = async (s) => {
  await s.exec('return document.fonts.ready.then(() => true)');
  await sleep(1500);
};

await startDriver();
const runs = [];
try {
  for (let r = 0; r < RUNS; r++) {
    const t = Date.now();
    const s = await Session.start([]);
    await s.tid('home-new', { timeout: 60000 });
    const launch = Date.now() - t;
    const launchPage = await s.exec(`return performance.now()`);
    await settle(s);
    // Open the project through the chooser seam.
    writeFileSync(pick, `${dir}\n`);
    const open = await s.exec(timeIt(`() => ${byTid('home-open')}.click()`, `() => ${byTid('req-N134-01')}`));
    await settle(s);
    const evidence = await s.exec(timeIt(`() => ${byTid('nav-evidence')}.click()`, `() => ${byTid('evidence-row-1')}`));
    const count = await s.textTid('evidence-count');
    if (!count.includes(String(N))) throw new Error(`evidence count shows ${count}, not ${N}`);
    await settle(s);
    // One title among N (the rows are named Evidence-NNNNNN-…); typing as one input event.
    const search = await s.exec(
      timeIt(
        `() => {
          const el = document.querySelector('[data-testid="evidence-search"] input, input[data-testid="evidence-search"]');
          Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, 'evidence-000123-');
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }`,
        `() => document.querySelectorAll('[data-testid^="evidence-row-"]').length === 1 && ${byTid('evidence-count')}.textContent.startsWith('1 /')`,
      ),
    );
    await s.shot(`bench-evidence-search-${r}`);
    await s.end();
    runs.push({ launch, launchPage, open, evidence, search });
    console.log(`run ${r + 1}: ${JSON.stringify(runs[r], (k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
  }
} finally {
  stopDriver();
}
const med = (k) => {
  const v = runs.map((x) => x[k]).sort((a, b) => a - b);
  return Math.round(v[Math.floor(v.length / 2)]);
};
const target = (ms, lim) => `${ms} ms (target < ${lim} ms: ${ms < lim ? 'met' : 'NOT met'})`;
console.log(`median of ${RUNS}, ${N} evidence items, app: ${process.env.APP_BIN}`);
console.log(`launch → interactive home screen: ${med('launch')} ms from the WebDriver session request; ${target(med('launchPage'), 600)} from the webview's navigation start`);
console.log(`open the project → checklist shown: ${target(med('open'), 500)}`);
console.log(`evidence screen → first rows shown: ${target(med('evidence'), 300)}`);
console.log(`search in the evidence → result shown: ${target(med('search'), 300)}`);
