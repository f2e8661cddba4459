// Several assessors, offline (issue 14) in the real app: a colleague's copy
// made with the CLI (`bundle export` → `bundle import`) diverges — one
// requirement judged differently on both sides (a conflict), one judged only
// by the colleague — and comes back as a bundle made by the CLI. The app's
// conflict screen lists the conflict with both sides; "theirs" is chosen; the
// merge result is shown; the CLI then reads the colleague's verdict in our
// project, the merge in the journal, and a journal that verifies.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, Session, startDriver, stopDriver, willPick } from './driver.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'iovaudit-e2e-team-'));
const ours = path.join(work, 'ours.iovaudit');
const theirs = path.join(work, 'theirs.iovaudit');
const toColleague = path.join(work, 'to-colleague.iovbundle');
const back = path.join(work, 'from-colleague.iovbundle');
const PASSWORD = '协作-e2e-2026';
const CLI = process.env.IOVAUDIT_CLI || path.join(ROOT, 'target/debug/iovaudit');
let s;
let broken = null;

function test(name, fn) {
  nodeTest(name, async (t) => {
    if (broken) return t.skip(`after the failure of: ${broken}`);
    try {
      await fn(t);
    } catch (e) {
      broken = name;
      throw e;
    }
  });
}

function cli(args, user = '张工') {
  return execFileSync(CLI, ['--lang', 'zh', ...args], {
    env: { ...process.env, IOVAUDIT_PASSWORD: PASSWORD, IOVAUDIT_USER: user },
    stdio: 'pipe',
  }).toString();
}

function verdictOf(dir, id) {
  const line = cli(['assess', 'list', dir]).split('\n').find((l) => l.startsWith(`${id} `));
  return line ?? '';
}

before(async () => {
  cli(['demo', ours]);
  cli(['bundle', 'export', ours, '--out', toColleague, '--with-evidence']);
  cli(['bundle', 'import', toColleague, '--out', theirs], '李工');
  // Both sides judge N134-04 differently; only the colleague judges N134-05.
  cli(['assess', 'set', ours, 'N134-04', 'conform', '--note', '我方：综合防护方案齐全'], '张工');
  cli(['assess', 'set', theirs, 'N134-04', 'nonconform', '--note', '对方：缺少数据安全防护措施'], '李工');
  cli(['assess', 'set', theirs, 'N134-05', 'conform', '--note', '对方：架构设计评审通过'], '李工');
  cli(['bundle', 'export', theirs, '--out', back, '--with-evidence', '--sm4'], '李工');
  await startDriver();
  s = await Session.start([ours]);
});

after(async () => {
  if (s) await s.end();
  stopDriver();
});

test('the team screen shows the merge panel', async () => {
  await s.clickTid('nav-team');
  await s.tid('merge-panel');
  await s.tid('export-colleague');
});

test('a colleague\'s bundle: dry run lists the conflict with both sides, theirs is taken', async () => {
  willPick([back]);
  await s.clickTid('merge-pick');
  await s.waitText('[data-testid="merge-file"]', (t) => t.includes('from-colleague.iovbundle'));
  await s.typeTid('merge-password', PASSWORD);
  await s.clickTid('merge-check');
  const plan = await s.waitText('[data-testid="merge-plan"]', (t) => t.length > 0, 60000);
  assert.ok(plan.includes('冲突 1 项'), plan);
  const oursSide = await s.textTid('conflict-N134-04-ours');
  const theirsSide = await s.textTid('conflict-N134-04-theirs');
  assert.ok(oursSide.includes('符合') && oursSide.includes('我方：综合防护方案齐全') && oursSide.includes('张工'), oursSide);
  assert.ok(theirsSide.includes('不符合') && theirsSide.includes('对方：缺少数据安全防护措施') && theirsSide.includes('李工'), theirsSide);
  await s.click('label:has([data-testid="choose-N134-04-theirs"])');
  await s.exec(`document.querySelector('[data-testid="conflicts"]').scrollIntoView({ block: 'center' }); return true`);
  await sleep(300);
  await s.shot('team-01-conflicts');
  await s.clickTid('merge-apply');
  const result = await s.waitText('[data-testid="merge-result"]', (t) => t.length > 0, 60000);
  assert.ok(result.includes('N134-04 → 对方'), result);
  assert.ok(result.includes('N134-05'), result);
  await s.shot('team-02-merged');
});

test('the CLI reads the merge: their verdicts, one journal entry, a chain that verifies', async () => {
  await s.end();
  s = null;
  let last = '';
  for (let i = 0; i < 40; i++) {
    try {
      last = verdictOf(ours, 'N134-04');
      break;
    } catch (e) {
      last = `${e.stderr}`;
      await sleep(250);
    }
  }
  assert.match(last, /不符合/, last);
  assert.match(verdictOf(ours, 'N134-05'), /符合/);
  const journal = JSON.parse(cli(['journal', 'list', ours, '--json']));
  const merges = journal.entries.filter((e) => e.action === 'bundle.merge');
  assert.equal(merges.length, 1, JSON.stringify(merges));
  assert.ok(JSON.stringify(merges[0].detail).includes('theirs'), JSON.stringify(merges[0].detail));
  cli(['journal', 'verify', ours]);
});
