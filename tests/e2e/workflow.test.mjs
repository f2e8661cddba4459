// The whole assessment in the real app (WebKitGTK through tauri-driver):
// identity → new project with scope → judge (keyboard too) → confirm
// inferred verdicts → evidence (hashes checked against sha256sum and
// openssl) → finding → approve → signed report + filing package → verify
// (our verifier in the app, pdfsig as an outside oracle) → tampering is
// caught. The dashboard's compliance calendar: timeline, a recorded trigger
// event and its deadline three months later, the ICS export read back by
// Python's icalendar (an outside RFC 5545 parser). A screenshot of every
// screen is kept in target/e2e-screenshots.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, Session, startDriver, stopDriver, willPick } from './driver.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'iovaudit-e2e-'));
const projects = path.join(work, 'projects');
const files = path.join(work, 'evidence');
mkdirSync(projects);
mkdirSync(files);
const PASSWORD = 'e2e-口令-2026';
let s;
let broken = null;

// The steps build on each other: after the first failure the rest are
// skipped (with the reason) instead of failing one by one on timeouts.
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

async function closeDrawer() {
  // The close button may be hit while the drawer still slides in; Escape until it is gone.
  for (let i = 0; i < 10; i++) {
    if (!(await s.exec(`return !!document.querySelector('.ant-drawer-open')`))) return;
    await s.keys('\uE00C');
    await sleep(400);
  }
  throw new Error('the drawer does not close');
}

function sha256sum(f) {
  return execFileSync('sha256sum', [f]).toString().split(/\s+/)[0];
}
function sm3(f) {
  const out = execFileSync('openssl', ['dgst', '-sm3', f]).toString().trim();
  return out.slice(out.lastIndexOf('= ') + 2);
}

before(async () => {
  // Evidence files: a PNG, a Chinese text file, a CSV.
  copyFileSync(path.join(ROOT, 'src-tauri/icons/icon.png'), path.join(files, '网络拓扑图.png'));
  writeFileSync(path.join(files, '数据安全管理制度.txt'), '第一条 为规范汽车数据处理活动，制定本制度。\n第二条 数据安全负责人：张三。\n');
  writeFileSync(path.join(files, 'asset-inventory.csv'), 'asset,level\nTSP,3\nOTA,2\n');
  await startDriver();
  const t0 = Date.now();
  s = await Session.start([]);
  await s.tid('home-new');
  console.log(`# measure: launch → interactive home screen: ${Date.now() - t0} ms`);
});

after(async () => {
  if (s) await s.end();
  stopDriver();
});

test('home screen', async () => {
  assert.match(await s.title(), /车联网安全合规评估工作台/);
  await s.shot('01-home');
});

test('Chinese is drawn with the bundled Noto Sans SC, not a system font', async () => {
  // This machine (like CI, like a fresh Debian) may have no CJK font at all:
  // then only the bundled one can draw 评估. Said in the output either way.
  const system = execFileSync('fc-list', [':lang=zh', 'family']).toString().trim();
  console.log(`# system CJK fonts (fc-list :lang=zh): ${system ? system.split('\n').join('; ') : 'none'}`);
  // The font loads from the app's own assets (the CSP allows nothing else).
  const faces = await s.exec(`return document.fonts.load('16px "Noto Sans SC"', '评估').then((fs) => fs.map((f) => [f.family, f.status, f.weight]))`);
  assert.ok(faces.length >= 1, 'a Noto Sans SC face covers 评估');
  for (const [family, status] of faces) {
    assert.equal(family.replace(/["']/g, ''), 'Noto Sans SC');
    assert.equal(status, 'loaded');
  }
  await s.exec('return document.fonts.ready.then(() => true)');
  assert.equal(await s.exec(`return document.fonts.check('16px "Noto Sans SC"', '评估')`), true);
  // Ant Design and the page name it first.
  const families = await s.exec(`return [getComputedStyle(document.body).fontFamily, getComputedStyle(document.querySelector('.ant-menu-title-content, .ant-btn')).fontFamily]`);
  for (const f of families) assert.match(f, /^["']?Noto Sans SC/, f);
  // What is drawn: 评 and 估 in the font are two different glyphs with ink,
  // and 评 differs from what the system draws without the font (a box when
  // there is no CJK system font).
  const px = await s.exec(`
    const draw = (font, text) => {
      const c = document.createElement('canvas');
      c.width = 64; c.height = 64;
      const g = c.getContext('2d');
      g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
      g.fillStyle = '#000'; g.font = font; g.textBaseline = 'top';
      g.fillText(text, 4, 4);
      return Array.from(g.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 0));
    };
    const ink = (a) => a.filter((v) => v < 128).length;
    const diff = (a, b) => a.filter((v, i) => Math.abs(v - b[i]) > 64).length;
    const ping = draw('48px "Noto Sans SC"', '评');
    const gu = draw('48px "Noto Sans SC"', '估');
    const sys = draw('48px "iovaudit-no-such-font"', '评');
    return { ink: ink(ping), inkGu: ink(gu), vsGu: diff(ping, gu), vsSystem: diff(ping, sys) };`);
  console.log(`# glyph check: ${JSON.stringify(px)}`);
  assert.ok(px.ink > 100 && px.inkGu > 100, `ink: ${JSON.stringify(px)}`);
  assert.ok(px.vsGu > 100, `评 and 估 drawn alike (boxes?): ${JSON.stringify(px)}`);
  assert.ok(px.vsSystem > 100, `评 drawn the same with and without the bundled font: ${JSON.stringify(px)}`);
  await s.shot('00-font-home');
});

test('opening a folder that is not a project says so, naming the folder', async () => {
  willPick([files]);
  await s.clickTid('home-open');
  const t = await s.waitText('[data-testid="error-text"]', (x) => x.length > 0);
  assert.ok(t.includes(files) && t.includes('不是评估项目'), t);
  await s.shot('01b-error');
  await s.click('.ant-notification-notice-close');
});

test('settings: assessor name and a new local signing identity', async () => {
  await s.clickTid('nav-settings');
  await s.typeTid('settings-assessor', '李评估');
  await s.clickTid('settings-assessor-save');
  await s.typeTid('identity-name', '李评估');
  await s.typeTid('identity-org', '示例测评中心');
  await s.typeTid('identity-password', PASSWORD);
  await s.typeTid('identity-password2', PASSWORD);
  await s.clickTid('identity-create');
  await s.waitText('[data-testid="identity-list"]', (t) => t.includes('李评估') && t.includes('示例测评中心'), 60000);
  await s.shot('02-settings');
});

test('settings: a .p12 holding two keys (made by Python cryptography) imports with the key chosen; deleting asks first', async () => {
  const dir = path.join(work, 'two-keys');
  mkdirSync(dir);
  // The file and its certificates' fingerprints come from another tool, the oracle here.
  const made = execFileSync('python3', [path.join(ROOT, 'tests/e2e/two_keys.py'), dir, PASSWORD]).toString();
  const fp = Object.fromEntries(made.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2)));
  assert.ok(fp.alice && fp.bob, made);
  await s.typeTid('identity-import-password', PASSWORD);
  willPick([path.join(dir, 'two-keys.p12')]);
  await s.clickTid('identity-import');
  const box = await s.waitText('[data-testid="identity-choose-key"]', (t) => t.includes('two-keys.p12'));
  assert.ok(box.includes('alice') && box.includes('bob') && box.includes('2 个密钥'), box);
  await s.exec(`document.querySelector('[data-testid="identity-choose-key"]').scrollIntoView()`);
  await sleep(300);
  await s.shot('02b-settings-choose-key');
  // The radio's input carries the id (antd hides it under its own drawing): click its label.
  await s.exec(`document.querySelector('[data-testid="identity-key-2"]').closest('label').click()`);
  await s.waitJs(`document.querySelector('[data-testid="identity-key-2"]').closest('label').querySelector('input').checked`);
  await s.clickTid('identity-import-key');
  await s.waitText('[data-testid="identity-created"]', (t) => t.includes('Bob'), 60000);
  // The identity signs with bob's key: its fingerprint is bob's certificate's, as Python computed it.
  await s.tid('identity-Bob');
  const shown = await s.exec(`return [...document.querySelectorAll('[data-testid="identity-Bob"] [data-hash]')].map((e) => e.dataset.hash)`);
  assert.deepEqual(shown, [fp.bob]);
  assert.match(await s.textTid('identity-keys-Bob'), /2 个密钥/);
  // Another default key (checked with the password): the identity's fingerprint becomes alice's.
  await s.clickTid('identity-setkey-Bob');
  await s.exec(`document.querySelector('[data-testid="identity-setkey-key-1"]').closest('label').click()`);
  await s.typeTid('identity-setkey-password', PASSWORD);
  await s.clickTid('identity-setkey-save');
  await s.waitJs(`!document.querySelector('[data-testid="identity-setkey-panel"]')`, 60000);
  const now = await s.exec(`return [...document.querySelectorAll('[data-testid="identity-Bob"] [data-hash]')].map((e) => e.dataset.hash)`);
  assert.deepEqual(now, [fp.alice]);
  // Deleting asks first; then it is gone (the local identity stays).
  await s.clickTid('identity-delete-Bob');
  await s.clickTid('identity-delete-ok-Bob');
  await s.waitJs(`!document.querySelector('[data-testid="identity-Bob"]')`);
  assert.match(await s.textTid('identity-list'), /李评估/);
});

test('new project wizard with scope answers', async () => {
  await s.clickTid('nav-home');
  await s.clickTid('home-new');
  await s.typeTid('wizard-name', '端到端测试 2026 年度评估');
  await s.typeTid('wizard-assessee', '测试汽车有限公司');
  await s.typeTid('wizard-org', '示例测评中心');
  await s.typeTid('wizard-parent', projects);
  await s.clickTid('wizard-next');
  await s.tid('pack-N103');
  // Shanghai's pack too: its filing dates and the 30 % change trigger feed the calendar.
  await s.clickTid('pack-SH26');
  await s.shot('03-wizard-packs');
  await s.clickTid('wizard-next');
  // Scope: no OTA → the OTA requirements become 不适用 with the reason.
  await s.clickTid('q-has_ota-no');
  await s.shot('04-wizard-scope');
  await s.clickTid('wizard-next');
  await s.clickTid('wizard-create');
  await s.waitText('[data-testid="project-name"]', (t) => t.includes('端到端测试'));
  const dirs = readdirSync(projects);
  assert.deepEqual(dirs, ['端到端测试 2026 年度评估.iovaudit']);
  await s.tid('req-N103-01');
  await s.shot('05-workspace');
});

/** A valid 统一社会信用代码 (GB 32100-2015): 17 characters and their check character. */
function creditCode(first17) {
  const A = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((acc, c, i) => acc + A.indexOf(c) * W[i], 0);
  return first17 + A[(31 - (sum % 31)) % 31];
}
const CREDIT = creditCode('91310000MA1FL8TQ3');

test('project information: a wrong credit code is refused at its field; the saved information reaches the report', async () => {
  await s.clickTid('nav-info');
  await s.tid('info-report_number');
  await s.typeTid('info-assessee.credit_code', '91310000MA1FL8TQ30');
  await s.clickTid('info-save');
  const err = await s.waitText('[data-testid="info-error-assessee.credit_code"]', (t) => t.length > 0);
  assert.match(err, /统一社会信用代码/);
  await s.typeTid('info-assessee.credit_code', CREDIT);
  await s.typeTid('info-report_number', 'E2E-2026-017');
  await s.typeTid('info-client.name', '端到端委托单位');
  await s.clickTid('info-add-team');
  await s.typeTid('info-team.0.name', '李评估');
  await s.typeTid('info-team.0.role', '组长');
  await s.typeTid('info-team.0.cert_no', 'CISP-E2E-0042');
  await s.typeTid('info-distribution', '测试汽车有限公司');
  await s.shot('05a-project-info');
  await s.clickTid('info-save');
  await s.waitJs(`!document.querySelector('[data-testid="info-error-assessee.credit_code"]') && document.querySelector('[data-testid="info-save"]').disabled`);
  const shown = await s.exec(`return document.querySelector('[data-testid="info-assessee.credit_code"]').value`);
  assert.equal(shown, CREDIT);
  await s.clickTid('nav-workspace');
  await s.tid('req-N103-01');
});

test('scope rules OTA requirements out, with the reason', async () => {
  await s.clickTid('req-N103-13');
  const t = await s.waitText('[data-testid="detail-applicability"]', (x) => x.includes('不适用'));
  assert.match(t, /has_ota|OTA/);
  // Changing the answer brings them back into scope.
  await s.clickTid('open-scope');
  // The modal may still be sliding in: click until the answer is taken, then save and wait for it to close.
  const yes = `document.querySelector('.ant-modal [data-testid="q-has_ota"] input[value="yes"]')`;
  for (let i = 0; i < 20; i++) {
    await s.clickTid('q-has_ota-yes');
    if (await s.exec(`return !!(${yes} && ${yes}.checked)`)) break;
    await sleep(250);
  }
  await s.clickTid('scope-save');
  await s.waitJs(`!document.querySelector('.ant-modal-wrap [data-testid="q-has_ota"]') || document.querySelector('.ant-modal-wrap').style.display === 'none'`);
  await sleep(500);
  await s.clickTid('req-N103-12');
  await s.clickTid('req-N103-13');
  await s.waitText('[data-testid="detail-applicability"]', (x) => !x.includes('不适用'));
});

test('judge requirements with the mouse and the keyboard', async () => {
  await s.clickTid('req-N103-01');
  await s.waitText('[data-testid="detail-id"]', (t) => t.includes('N103-01'));
  await s.clickTid('verdict-conform');
  await s.clickTid('verdict-save');
  await s.waitText('[data-testid="verdict-recorded"]', (t) => t.includes('李评估'));

  // Partial without a reason is refused before anything is saved.
  await s.clickTid('req-N103-02');
  await s.waitText('[data-testid="detail-id"]', (t) => t.includes('N103-02'));
  await s.clickTid('verdict-partial');
  await s.clickTid('verdict-save');
  await s.waitText('[data-testid="verdict-rule"]', (t) => t.length > 0);
  assert.match(await s.textTid('verdict-recorded'), /尚未记录/);
  // With a reason it is saved, and N134-33 (mapped as equal) gets an inferred verdict.
  await s.typeTid('verdict-note', '台账缺少车辆数据分类');
  await s.clickTid('verdict-save');
  await s.waitText('[data-testid="verdict-recorded"]', (t) => t.includes('李评估'));

  // Keyboard: 3 = 不符合, type the reason, Ctrl+Enter saves.
  await s.clickTid('req-N103-04');
  await s.waitText('[data-testid="detail-id"]', (t) => t.includes('N103-04'));
  await s.exec('document.activeElement && document.activeElement.blur()');
  await s.keys('3');
  const note = await s.tid('verdict-note');
  await s.clickEl(note);
  await s.keys('未开展年度数据安全风险评估');
  await s.chord('\uE009', '\uE007'); // Ctrl + Enter
  await s.waitText('[data-testid="verdict-recorded"]', (t) => t.includes('李评估'));
  await s.waitText('[data-testid="req-N103-04"]', (t) => t.includes('N103-04'));
  await s.shot('06-judged');
});

test('inferred verdicts are shown and confirmed one by one', async () => {
  await s.click('[data-testid="filter"] label:nth-of-type(4)');
  await sleep(300);
  const ROWS = '[data-testid="requirement-tree"] [data-testid^="req-"]';
  let rows = await s.findAll(ROWS);
  assert.ok(await s.exists('[data-testid="req-N134-33"]'), 'N103-02 (partial) infers N134-33 (equal mapping)');
  await s.shot('07-inferred');
  // One at a time: open the first, confirm, wait until the list no longer has it
  // (the list re-renders after each confirmation; a held row reference goes stale).
  for (let i = 0; i < 80 && rows.length > 0; i++) {
    const id = await s.exec(`const e = document.querySelector(arguments[0]); return e ? e.dataset.testid : null`, [ROWS]);
    if (!id) break;
    const row = `[data-testid="requirement-tree"] [data-testid="${id}"]`;
    await s.click(row);
    await s.waitText('[data-testid="detail-id"]', (t) => t.includes(id.slice('req-'.length)));
    await s.clickTid('verdict-confirm');
    await s.waitJs(`!document.querySelector('${row}')`);
    rows = await s.findAll(ROWS);
  }
  assert.equal(rows.length, 0, 'every inferred verdict confirmed');
  await s.click('[data-testid="filter"] label:nth-of-type(1)');
});

test('evidence: add files, hashes match sha256sum and openssl sm3, vault verifies', async () => {
  await s.clickTid('nav-evidence');
  const picked = readdirSync(files).sort().map((f) => path.join(files, f));
  willPick(picked);
  await s.clickTid('evidence-add-files');
  await s.waitText('[data-testid="evidence-add-result"]', (t) => t.includes('3'));
  await s.tid('evidence-row-1');
  const table = await s.exec('return document.querySelector(".ant-table").innerHTML');
  for (const f of picked) {
    // The full hashes are in the cells' titles (shortened on screen).
    assert.ok(table.includes(sha256sum(f)), `SHA-256 of ${f}`);
    assert.ok(table.includes(sm3(f)), `SM3 of ${f}`);
  }
  // Previews come from the vault copy, read in Rust.
  await s.clickTid('evidence-preview-2');
  await s.waitText('[data-testid="evidence-preview-text"]', (t) => t.includes('数据安全负责人'));
  await closeDrawer();
  await s.clickTid('evidence-preview-3');
  await s.tid('evidence-preview-image');
  assert.ok(await s.exec(`return document.querySelector('[data-testid="evidence-preview-image"] img, img[data-testid="evidence-preview-image"]').naturalWidth === 128`));
  await s.shot('08b-evidence-preview');
  await closeDrawer();
  await s.clickTid('evidence-verify');
  await s.waitText('[data-testid="evidence-verify-result"]', (t) => /3/.test(t));
  await s.shot('08-evidence');
  // Search runs in the core (SQL): a Chinese file name, then a hash prefix.
  await s.typeTid('evidence-search', '管理制度');
  await s.waitText('[data-testid="evidence-count"]', (t) => t.startsWith('1 / 3'));
  assert.deepEqual(await s.exec(`return [...document.querySelectorAll('[data-testid^="evidence-row-"]')].map((e) => e.dataset.testid)`), ['evidence-row-2']);
  await s.shot('08c-evidence-search');
  const png = picked.find((f) => f.endsWith('.png'));
  await s.typeTid('evidence-search', sha256sum(png).slice(0, 12).toUpperCase());
  await s.waitText('[data-testid="evidence-count"]', (t) => t.startsWith('1 / 3'));
  await s.tid('evidence-row-3');
  // Sorting by size asks the core for the order.
  await s.typeTid('evidence-search', '');
  await s.waitText('[data-testid="evidence-count"]', (t) => t.includes('共 3 项'));
  // Ids follow the picked order; largest first after two clicks on 大小.
  const want = picked
    .map((f, i) => ({ size: readFileSync(f).length, id: i + 1 }))
    .sort((a, b) => b.size - a.size || b.id - a.id)
    .map((x) => `evidence-row-${x.id}`);
  const rowsNow = `[...document.querySelectorAll('[data-testid^="evidence-row-"]')].map((e) => e.dataset.testid).join()`;
  for (let i = 0; i < 2; i++) {
    await s.exec(`[...document.querySelectorAll('[data-testid="evidence-table"] th')].find((t) => t.textContent.includes('大小')).click()`);
    await sleep(300);
  }
  await s.waitJs(`${rowsNow} === ${JSON.stringify(want.join())}`);
});

test('a finding for a non-conformity', async () => {
  await s.clickTid('nav-findings');
  await s.clickTid('finding-new');
  await s.typeTid('finding-requirement', 'N103-04');
  await s.typeTid('finding-title', '补做年度数据安全风险评估');
  await s.typeTid('finding-owner', '王工');
  await s.clickTid('finding-save');
  await s.tid('finding-row-1');
  await s.waitJs(`!document.querySelector('.ant-drawer-open')`);
  await sleep(400);
  await s.shot('09-findings');
});

test('dashboard shows the score', async () => {
  await s.clickTid('nav-dashboard');
  const t = await s.textTid('dashboard-overall');
  assert.match(t, /\d/);
  await s.shot('10-dashboard');
});

/** `YYYY-MM-DD` of a local date. */
function ymd(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The timeline as shown: [uid, date, requirement, status] per item. */
async function timeline() {
  return s.exec(`return [...document.querySelectorAll('[data-testid="calendar-item"]')].map((e) => [e.dataset.uid, e.dataset.date, e.dataset.requirement, e.dataset.status])`);
}

test('dashboard: compliance calendar timeline; a 30 % change yields a deadline three months later', async () => {
  await s.tid('calendar-timeline');
  // Show every date (the first dozen are shown until asked).
  if (await s.exists('[data-testid="calendar-more"]')) await s.clickTid('calendar-more');
  let items = await timeline();
  assert.ok(items.length > 0, 'dated obligations are listed');
  const statuses = new Set(items.map((i) => i[3]));
  for (const st of statuses) assert.ok(['overdue', 'due_soon', 'upcoming', 'done'].includes(st), st);
  // Shanghai's yearly 07-31 filing of the important-data catalogue (SH26-17) is on it.
  assert.ok(items.some(([, date, req]) => req === 'SH26-17' && date.endsWith('-07-31')), JSON.stringify(items));
  // Sorted by date, as the core gives them.
  const dates = items.map((i) => i[1]);
  assert.deepEqual(dates, [...dates].sort());
  // Status words come from the core (Chinese here).
  const counts = await s.textTid('calendar-counts');
  assert.match(counts, /已逾期|30天内到期|未到期|已完成/);

  // A 30 % change of the important data ten days ago → the filing update is due three months after it.
  const now = new Date();
  const event = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 10);
  // Three months on, the day kept (or the month's last day), as the core counts.
  const due = new Date(event.getFullYear(), event.getMonth() + 3, 1);
  due.setDate(Math.min(event.getDate(), new Date(due.getFullYear(), due.getMonth() + 1, 0).getDate()));
  await s.clickTid('calendar-event-add');
  await s.tid('calendar-event-kind');
  await s.click('[data-testid="calendar-event-kind"]');
  await s.waitJs(`[...document.querySelectorAll('.ant-select-item-option')].some((o) => o.textContent.startsWith('change-30'))`);
  await s.exec(`[...document.querySelectorAll('.ant-select-item-option')].find((o) => o.textContent.startsWith('change-30')).setAttribute('data-e2e-option', '1')`);
  await s.click('[data-e2e-option="1"]');
  await s.waitJs(`[...document.querySelectorAll('[data-testid="calendar-event-kind"]')].some((e) => e.textContent.includes('change-30'))`);
  await s.typeTid('calendar-event-date', ymd(event));
  await s.typeTid('calendar-event-note', '重要数据存储总量增长35%');
  await s.clickTid('calendar-event-save');
  const dues = await s.waitText('[data-testid="calendar-event-dues"]', (t) => t.includes('SH26-18'));
  assert.ok(dues.includes(ymd(due)), `${dues} should name ${ymd(due)}`);
  await s.shot('10c-calendar-event');
  await s.clickTid('calendar-event-done');
  await s.waitJs(`!document.querySelector('[data-testid="calendar-event-dues"]')`);
  await s.waitJs(`[...document.querySelectorAll('[data-testid="calendar-item"]')].some((e) => e.dataset.requirement === 'SH26-18')`);
  if (await s.exists('[data-testid="calendar-more"]')) {
    const more = await s.textTid('calendar-more');
    if (!more.includes('收起')) await s.clickTid('calendar-more');
  }
  items = await timeline();
  const triggered = items.filter(([, , req]) => req === 'SH26-18');
  assert.equal(triggered.length, 1, JSON.stringify(items));
  assert.equal(triggered[0][1], ymd(due));
  assert.equal(triggered[0][3], 'upcoming');
  assert.match(await s.textTid('calendar-events'), /change-30/);
  await s.exec(`document.querySelector('[data-testid="calendar"]').scrollIntoView()`);
  await sleep(300);
  await s.shot('10b-dashboard-calendar-zh');
});

test('dashboard: Export ICS writes RFC 5545 that Python icalendar reads back with the same events', async () => {
  const exportsDir = path.join(projects, '端到端测试 2026 年度评估.iovaudit', 'exports');
  const ics = path.join(exportsDir, '合规日历-e2e.ics');
  if (await s.exists('[data-testid="calendar-more"]')) {
    const more = await s.textTid('calendar-more');
    if (!more.includes('收起')) await s.clickTid('calendar-more');
  }
  const items = await timeline();
  willPick([ics]);
  await s.clickTid('calendar-ics');
  const saved = await s.waitText('[data-testid="calendar-ics-saved"]', (t) => t.includes('.ics'));
  assert.ok(saved.includes(ics) && saved.includes(`${items.length} 个日程`), saved);
  // An outside parser: Python's icalendar (installed by scripts/setup.sh).
  const py = `
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = []
for ev in cal.walk('VEVENT'):
    out.append([str(ev['UID']), ev.decoded('DTSTART').isoformat(), str(ev.get('DESCRIPTION', ''))])
print(json.dumps({'version': str(cal['VERSION']), 'events': out}, ensure_ascii=False))`;
  const parsed = JSON.parse(execFileSync('python3', ['-c', py, ics]).toString());
  assert.equal(parsed.version, '2.0');
  assert.deepEqual(
    parsed.events.map(([uid, date]) => [uid, date]).sort(),
    items.map(([uid, date]) => [uid, date]).sort(),
  );
  const sh18 = parsed.events.find(([uid]) => uid.startsWith('SH26-18.'));
  assert.ok(sh18 && sh18[2].includes('SH26-18') && sh18[2].includes('四.7'), JSON.stringify(sh18));
});

test('review: submit and approve', async () => {
  await s.clickTid('nav-export');
  await s.clickTid('review-submit');
  await s.waitText('[data-testid="project-state"]', (t) => t.includes('审核中'));
  await s.clickTid('review-approve');
  await s.click('.ant-modal-confirm-btns .ant-btn-primary');
  await s.waitText('[data-testid="project-state"]', (t) => t.includes('已批准'));
  await s.shot('11-approved');
});

test('export a signed report and a filing package', async () => {
  // A wrong password is refused with a message naming the identity file; nothing is written.
  await s.typeTid('export-password', 'wrong-password');
  await s.clickTid('export-report');
  const err = await s.waitText('[data-testid="error-text"]', (x) => x.length > 0, 60000);
  assert.ok(err.includes('密码错误') && err.includes('signer.p12'), err);
  await s.click('.ant-notification-notice-close');
  await s.typeTid('export-password', PASSWORD);
  await s.clickTid('export-report');
  await s.waitText('[data-testid="export-result"]', (t) => t.includes('.pdf'), 120000);
  await s.clickTid('export-package');
  await s.waitText('[data-testid="export-result"]', (t) => t.includes('.zip'), 120000);
  await s.clickTid('report-preview-load');
  await sleep(1500);
  await s.shot('12-export');
  const exports = path.join(projects, '端到端测试 2026 年度评估.iovaudit', 'exports');
  const out = readdirSync(exports);
  assert.equal(out.filter((f) => f.endsWith('.pdf')).length, 1, out.join(','));
  assert.equal(out.filter((f) => f.endsWith('.zip')).length, 1, out.join(','));
  // Earlier exports of the project: what is in exports/, with its kind.
  await s.waitJs(`document.querySelectorAll('[data-testid="exports-item"]').length === 3`);
  const listed = await s.exec(`return [...document.querySelectorAll('[data-testid="exports-item"]')].map((e) => [e.dataset.kind, e.querySelector('.mono').textContent])`);
  assert.deepEqual(listed.map(([, n]) => n).sort(), [...out].sort());
  assert.deepEqual(listed.map(([k]) => k).sort(), ['calendar', 'package', 'report']);
});

test('the report signature is valid for pdfsig (poppler), an outside oracle', () => {
  const exports = path.join(projects, '端到端测试 2026 年度评估.iovaudit', 'exports');
  const pdf = path.join(exports, readdirSync(exports).find((f) => f.endsWith('.pdf')));
  const out = execFileSync('pdfsig', [pdf]).toString();
  assert.match(out, /Signature Validation: Signature is Valid/);
  assert.match(out, /Signer Certificate Common Name: 李评估/);
});

test('the report states the project information filled in the app (pdftotext)', () => {
  const exports = path.join(projects, '端到端测试 2026 年度评估.iovaudit', 'exports');
  const pdf = path.join(exports, readdirSync(exports).find((f) => f.endsWith('.pdf')));
  const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
  for (const want of [CREDIT, '端到端委托单位', 'CISP-E2E-0042', 'E2E-2026-017']) assert.ok(text.includes(want), `${want} is not in the report text`);
  // Dates in the report carry no UTC instant with a trailing Z.
  assert.doesNotMatch(text, /\d{2}:\d{2}(:\d{2})?Z/);
});

test('verify the package and the PDF in the app; a tampered PDF fails', async () => {
  const exports = path.join(projects, '端到端测试 2026 年度评估.iovaudit', 'exports');
  const zip = path.join(exports, readdirSync(exports).find((f) => f.endsWith('.zip')));
  const pdf = path.join(exports, readdirSync(exports).find((f) => f.endsWith('.pdf')));
  await s.clickTid('nav-verify');
  await s.click('[data-testid="verify-trust"] .ant-checkbox-wrapper');
  willPick([zip]);
  await s.clickTid('verify-pick');
  let v = await s.waitText('[data-testid="verify-verdict"]', (t) => t.length > 0, 60000);
  assert.match(v, /^通过/);
  await s.shot('13-verify-package');

  willPick([pdf]);
  await s.clickTid('verify-pick');
  await s.waitText('[data-testid="verify-file"]', (t) => t.endsWith('.pdf'));
  v = await s.waitText('[data-testid="verify-verdict"]', (t) => t.length > 0);
  assert.match(v, /^通过/);

  // One byte changed inside the signed range.
  const bad = path.join(work, 'tampered.pdf');
  const b = readFileSync(pdf);
  const i = b.indexOf(Buffer.from('/Producer'));
  b[i + 1] = 'Q'.charCodeAt(0);
  writeFileSync(bad, b);
  willPick([bad]);
  await s.clickTid('verify-pick');
  await s.waitText('[data-testid="verify-file"]', (t) => t.includes('tampered'));
  v = await s.waitText('[data-testid="verify-verdict"]', (t) => t.length > 0);
  assert.match(v, /^未通过/);
  await s.shot('14-verify-tampered');
});

test('English switch', async () => {
  await s.click('[data-testid="lang-switch"] label:nth-of-type(2)');
  await s.waitJs(`document.querySelector('.ant-layout-sider').innerText.includes('Settings')`);
  await s.clickTid('nav-workspace');
  await s.tid('req-N103-01');
  await s.shot('15-workspace-en');
  // The project information form in English: labels from the UI, values as entered.
  await s.clickTid('nav-info');
  await s.waitText('[data-testid="info-card-assessee"]', (t) => t.includes('Unified social credit code'));
  await s.shot('15a-project-info-en');
  // The dashboard's calendar in English: the status words the core sends.
  await s.clickTid('nav-dashboard');
  await s.waitText('[data-testid="calendar-counts"]', (t) => /overdue|due within 30 days|upcoming|done/.test(t));
  const cjk = /[\u4e00-\u9fff]/;
  assert.doesNotMatch(await s.textTid('calendar-counts'), cjk);
  const tags = await s.exec(`return [...document.querySelectorAll('[data-testid="calendar-item-status"]')].map((e) => e.textContent)`);
  assert.ok(tags.length > 0);
  for (const tag of tags) assert.doesNotMatch(tag, cjk, tag);
  await s.exec(`document.querySelector('[data-testid="calendar"]').scrollIntoView()`);
  await sleep(300);
  await s.shot('16-dashboard-calendar-en');
  await s.click('[data-testid="lang-switch"] label:nth-of-type(1)');
});

test('the app’s ICS is the CLI’s: `iovaudit calendar --ics` writes the same bytes for the same day', async () => {
  const dir = path.join(projects, '端到端测试 2026 年度评估.iovaudit');
  const fromApp = readFileSync(path.join(dir, 'exports', '合规日历-e2e.ics'));
  // Closing the app releases the project's lock (the CLI refuses a project in use).
  await s.end();
  s = null;
  const cli = process.env.IOVAUDIT_CLI || path.join(ROOT, 'target/debug/iovaudit');
  const out = path.join(work, 'cli.ics');
  let last = '';
  for (let i = 0; i < 40; i++) {
    try {
      execFileSync(cli, ['--lang', 'zh', 'calendar', dir, '--today', ymd(new Date()), '--ics', out], { stdio: 'pipe' });
      last = '';
      break;
    } catch (e) {
      last = `${e.stderr}`;
      if (!/使用|in use/.test(last)) break;
      await sleep(250);
    }
  }
  assert.equal(last, '', last);
  const fromCli = readFileSync(out);
  assert.ok(fromCli.length > 500);
  assert.ok(fromApp.equals(fromCli), 'the ICS the app wrote differs from the CLI’s');
  // The event recorded in the app is in the project's journal, by the assessor named in Settings.
  const journal = JSON.parse(execFileSync(cli, ['journal', 'list', dir, '--json']).toString());
  const added = journal.entries.filter((e) => e.action === 'calendar.event.add');
  assert.equal(added.length, 1, JSON.stringify(added));
  assert.equal(added[0].actor, '李评估');
  assert.equal(added[0].detail.kind, 'change-30');
  assert.equal(added[0].detail.note, '重要数据存储总量增长35%');
  assert.deepEqual(added[0].detail.requirements, ['SH26-18']);
});
