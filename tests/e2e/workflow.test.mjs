// The whole assessment in the real app (WebKitGTK through tauri-driver):
// identity → new project with scope → judge (keyboard too) → confirm
// inferred verdicts → evidence (hashes checked against sha256sum and
// openssl) → finding → approve → signed report + filing package → verify
// (our verifier in the app, pdfsig as an outside oracle) → tampering is
// caught. A screenshot of every screen is kept in target/e2e-screenshots.
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

test('new project wizard with scope answers', async () => {
  await s.clickTid('nav-home');
  await s.clickTid('home-new');
  await s.typeTid('wizard-name', '端到端测试 2026 年度评估');
  await s.typeTid('wizard-assessee', '测试汽车有限公司');
  await s.typeTid('wizard-org', '示例测评中心');
  await s.typeTid('wizard-parent', projects);
  await s.clickTid('wizard-next');
  await s.tid('pack-N103');
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

test('scope rules OTA requirements out, with the reason', async () => {
  await s.clickTid('req-N103-13');
  const t = await s.waitText('[data-testid="detail-applicability"]', (x) => x.includes('不适用'));
  assert.match(t, /has_ota|OTA/);
  // Changing the answer brings them back into scope.
  await s.clickTid('open-scope');
  await s.clickTid('q-has_ota-yes');
  await s.clickTid('scope-save');
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
  for (let i = 0; i < 50 && rows.length > 0; i++) {
    await s.clickEl(rows[0]);
    await s.clickTid('verdict-confirm');
    await sleep(400);
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
});

test('the report signature is valid for pdfsig (poppler), an outside oracle', () => {
  const exports = path.join(projects, '端到端测试 2026 年度评估.iovaudit', 'exports');
  const pdf = path.join(exports, readdirSync(exports).find((f) => f.endsWith('.pdf')));
  const out = execFileSync('pdfsig', [pdf]).toString();
  assert.match(out, /Signature Validation: Signature is Valid/);
  assert.match(out, /Signer Certificate Common Name: 李评估/);
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
  await s.click('[data-testid="lang-switch"] label:nth-of-type(1)');
});
