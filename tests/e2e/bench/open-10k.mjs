// Benchmark (not a test): how long the desktop app takes
//   1. from launch to an interactive home screen, and
//   2. from launch with a project of 10,000 evidence items to its checklist
//      shown (first requirement row visible), then to the evidence table.
// The project is built with the CLI (`iovaudit evidence add` of 10,000
// small files, linked to N134-01). For scale, the same run times the CLI
// reading the same project (`iovaudit status` and `evidence list --json`).
// Run: scripts/e2e.sh is not used; run with scripts/bench-app.sh.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, Session, startDriver, stopDriver } from '../driver.mjs';

const N = Number(process.env.BENCH_N || 10000);
const cli = process.env.IOVAUDIT_CLI || path.join(ROOT, 'target/debug/iovaudit');
const work = mkdtempSync(path.join(os.tmpdir(), 'iovaudit-bench-'));
const files = path.join(work, 'files');
mkdirSync(files);
for (let i = 0; i < N; i++) writeFileSync(path.join(files, `evidence-${String(i).padStart(5, '0')}.txt`), `evidence item ${i}\n`);
const dir = path.join(work, 'bench.iovaudit');
const env = { ...process.env, IOVAUDIT_USER: 'bench' };
execFileSync(cli, ['project', 'init', '--name', 'bench', '--assessee', 'bench', '--packs', 'N134,N103,GB44495,SH26,BJ50,P148', dir], { env });
let t = Date.now();
execFileSync(cli, ['evidence', 'add', '--requirement', 'N134-01', dir, files], { env, stdio: 'ignore' });
console.log(`setup: ingest ${N} files with the CLI: ${Date.now() - t} ms`);

const time = (f) => {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const cliStatus = time(() => execFileSync(cli, ['status', dir], { env, stdio: 'ignore' }));
const cliList = time(() => execFileSync(cli, ['evidence', 'list', '--json', dir], { env, stdio: 'ignore' }));

await startDriver();
try {
  const runs = [];
  for (let r = 0; r < 3; r++) {
    t = Date.now();
    let s = await Session.start([]);
    await s.tid('home-new', { timeout: 60000 });
    const home = Date.now() - t;
    await s.end();

    t = Date.now();
    s = await Session.start([dir]);
    await s.tid('req-N134-01', { timeout: 60000 });
    const checklist = Date.now() - t;
    t = Date.now();
    await s.clickTid('nav-evidence');
    await s.tid('evidence-row-1', { timeout: 60000 });
    const evidence = Date.now() - t;
    await s.end();
    runs.push({ home, checklist, evidence });
  }
  const med = (k) => runs.map((x) => x[k]).sort((a, b) => a - b)[1];
  console.log(`launch → interactive home screen (median of 3): ${med('home')} ms`);
  console.log(`launch with a ${N}-evidence project → checklist shown (median of 3): ${med('checklist')} ms`);
  console.log(`then evidence screen → first rows of ${N} shown (median of 3): ${med('evidence')} ms`);
  console.log(`for scale, same project, CLI: status ${cliStatus.toFixed(0)} ms, evidence list --json ${cliList.toFixed(0)} ms`);
  console.log(`ratio: app checklist-shown / CLI status = ${(med('checklist') / cliStatus).toFixed(2)}`);
} finally {
  stopDriver();
}
