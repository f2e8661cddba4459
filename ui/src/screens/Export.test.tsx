import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { IdentityInfo } from '../api';
import { Export } from './Export';
import { projectFixture, renderScreen, scoresFixture } from './evidence/testkit';

const h = vi.hoisted(() => ({
  api: {
    findings: vi.fn(),
    reviewSubmit: vi.fn(),
    reviewApprove: vi.fn(),
    reviewReopen: vi.fn(),
    journalVerify: vi.fn(),
    identities: vi.fn(),
    templates: vi.fn(),
    reportPreview: vi.fn(),
    exportReport: vi.fn(),
    exportPackage: vi.fn(),
    reportDocx: vi.fn(),
    revealExports: vi.fn(),
    exportsList: vi.fn(),
    readiness: vi.fn(),
  },
}));

vi.mock('../api', async (orig) => ({
  ...(await orig<typeof import('../api')>()),
  api: h.api,
  onDrop: vi.fn(() => Promise.resolve(() => {})),
}));

function ident(name: string): IdentityInfo {
  return { name, subject: `CN=${name}`, organisation: '某检测机构', fingerprint_sha256: 'f'.repeat(64), key: 'ECDSA P-256', has_sm2: true, ca_pem: null };
}

const APPROVED = projectFixture({ state: 'approved', revision: 2, state_by: '李四', state_at: '2025-03-02T09:00:00+08:00', snapshot_hash: 'e'.repeat(64) });

beforeEach(() => {
  Object.values(h.api).forEach((f) => f.mockReset());
  h.api.findings.mockResolvedValue([]);
  h.api.exportsList.mockResolvedValue([]);
  h.api.readiness.mockResolvedValue({ readiness: { require_evidence: false, without_evidence: [], unconfirmed: [], rejudge: [] }, messages: [] });
  h.api.identities.mockResolvedValue([ident('机构签名'), ident('张三-2025')]);
  h.api.templates.mockResolvedValue([
    { name: 'default', builtin: true, description: { zh: '默认', en: 'Default' } },
    { name: 'brand', builtin: false, description: { zh: '机构模板', en: 'Our template' } },
  ]);
});

function input(testid: string): HTMLInputElement {
  const el = screen.getByTestId(testid);
  return (el.tagName === 'INPUT' ? el : el.querySelector('input')!) as HTMLInputElement;
}

test('a draft shows readiness problems, cannot export, and can be submitted', async () => {
  const refresh = vi.fn(() => Promise.resolve());
  h.api.findings.mockResolvedValue([
    { id: 1, requirement: 'GB44495-5-01', title: '缺少制度', severity: 'high', owner: '', due: null, status: 'open', note: '', created_by: '', created_at: '', updated_at: '' },
  ]);
  h.api.reviewSubmit.mockResolvedValue(projectFixture({ state: 'in_review' }));
  renderScreen(<Export />, { scores: scoresFixture({ unassessed: 3, judged: 5, applicable: 8, inferred_pending: 2 }, false), fns: { refresh } });

  expect(screen.getByTestId('ready-judged').getAttribute('data-level')).toBe('bad');
  expect(screen.getByTestId('ready-judged').textContent).toContain('3 项适用要求未判定');
  expect(screen.getByTestId('ready-inferred').getAttribute('data-level')).toBe('bad');
  await waitFor(() => expect(screen.getByTestId('ready-findings').getAttribute('data-level')).toBe('warn'));
  expect(screen.getByTestId('export-not-approved')).toBeTruthy();
  await screen.findByTestId('export-identity');
  fireEvent.change(input('export-password'), { target: { value: 'pw' } });
  expect((screen.getByTestId('export-report') as HTMLButtonElement).disabled).toBe(true);
  expect((screen.getByTestId('export-package') as HTMLButtonElement).disabled).toBe(true);
  expect(screen.queryByTestId('review-approve')).toBeNull();

  fireEvent.click(screen.getByTestId('review-submit'));
  await waitFor(() => expect(h.api.reviewSubmit).toHaveBeenCalledTimes(1));
  await waitFor(() => expect(refresh).toHaveBeenCalled());
});

test('approving asks for confirmation that it freezes the project', async () => {
  const refresh = vi.fn(() => Promise.resolve());
  h.api.reviewApprove.mockResolvedValue(APPROVED);
  renderScreen(<Export />, { project: projectFixture({ state: 'in_review' }), fns: { refresh } });
  fireEvent.click(screen.getByTestId('review-approve'));
  expect(await screen.findByText(/批准后项目将被冻结/)).toBeTruthy();
  expect(h.api.reviewApprove).not.toHaveBeenCalled();
  fireEvent.click(screen.getByTestId('review-approve-ok'));
  await waitFor(() => expect(h.api.reviewApprove).toHaveBeenCalledTimes(1));
  await waitFor(() => expect(refresh).toHaveBeenCalled());
});

test('reopening an approved project starts a new revision', async () => {
  h.api.reviewReopen.mockResolvedValue(projectFixture({ revision: 3 }));
  renderScreen(<Export />, { project: APPROVED });
  expect(screen.getByTestId('review-state-tag').textContent).toBe('已批准');
  expect(screen.getByTestId('review-state').textContent).toContain('李四');
  fireEvent.click(screen.getByTestId('review-reopen'));
  expect(await screen.findByText(/第 3 版/)).toBeTruthy();
  fireEvent.click(screen.getByTestId('review-reopen-ok'));
  await waitFor(() => expect(h.api.reviewReopen).toHaveBeenCalledTimes(1));
});

test('export-report sends the chosen identity, typed password, template and language', async () => {
  h.api.exportReport.mockResolvedValue({ path: '/p/exports/report-r2.pdf', size: 123456, sha256: '9'.repeat(64), pages: 14 });
  h.api.exportPackage.mockResolvedValue({ path: '/p/exports/package-r2.zip', size: 999, sha256: '8'.repeat(64), pages: null });
  h.api.revealExports.mockResolvedValue(undefined);
  renderScreen(<Export />, { project: APPROVED });
  const group = await screen.findByTestId('export-identity');
  // First identity is preselected.
  await waitFor(() => expect((within(group).getByDisplayValue('机构签名') as HTMLInputElement).checked).toBe(true));
  expect(screen.queryByTestId('export-not-approved')).toBeNull();
  expect((screen.getByTestId('export-report') as HTMLButtonElement).disabled).toBe(true); // no password yet

  fireEvent.click(within(group).getByDisplayValue('张三-2025'));
  fireEvent.change(input('export-password'), { target: { value: 's3cret!' } });
  fireEvent.click(within(screen.getByTestId('export-lang')).getByText('English'));
  await waitFor(() => expect(screen.getByTestId('export-template-brand')).toBeTruthy());
  fireEvent.click(within(screen.getByTestId('export-template')).getByDisplayValue('brand'));
  fireEvent.click(screen.getByTestId('export-report'));
  await waitFor(() => expect(h.api.exportReport).toHaveBeenCalledTimes(1));
  expect(h.api.exportReport).toHaveBeenCalledWith({ identity: '张三-2025', password: 's3cret!', template: 'brand', lang: 'en', key: null });

  const res = await screen.findByTestId('export-result');
  const path = within(res).getByText('/p/exports/report-r2.pdf');
  expect(path.closest('.mono')).not.toBeNull();
  expect(res.textContent).toContain('9'.repeat(64));
  expect(res.textContent).toContain('14 页');
  expect(res.textContent).toContain('120.6 KiB');

  // Package without evidence, default template.
  fireEvent.click(within(screen.getByTestId('export-template')).getByDisplayValue('\u0000default'));
  fireEvent.click(screen.getByTestId('export-with-evidence').querySelector('input') ?? screen.getByTestId('export-with-evidence'));
  await waitFor(() => expect((screen.getByTestId('export-package') as HTMLButtonElement).disabled).toBe(false));
  fireEvent.click(screen.getByTestId('export-package'));
  await waitFor(() => expect(h.api.exportPackage).toHaveBeenCalledWith({ identity: '张三-2025', password: 's3cret!', template: null, lang: 'en', key: null, with_evidence: false }));
  await waitFor(() => expect(within(screen.getByTestId('export-result')).getAllByTestId('export-result-item')).toHaveLength(2));

  fireEvent.click(screen.getByTestId('export-reveal'));
  await waitFor(() => expect(h.api.revealExports).toHaveBeenCalled());
});

test('the package includes evidence by default', async () => {
  h.api.exportPackage.mockResolvedValue({ path: '/p/exports/x.zip', size: 1, sha256: '1', pages: null });
  renderScreen(<Export />, { project: APPROVED });
  await screen.findByTestId('export-identity');
  fireEvent.change(input('export-password'), { target: { value: 'pw' } });
  fireEvent.click(screen.getByTestId('export-package'));
  await waitFor(() => expect(h.api.exportPackage).toHaveBeenCalledWith(expect.objectContaining({ identity: '机构签名', with_evidence: true, template: null, lang: 'zh' })));
});

test('the editable Word report needs no identity or approval and is listed as not the signed copy', async () => {
  h.api.identities.mockResolvedValue([]);
  h.api.reportDocx.mockResolvedValue({ path: '/p/exports/报告-R1.docx', size: 58000, sha256: '7'.repeat(64), pages: null });
  renderScreen(<Export />);
  const button = (await screen.findByTestId('export-docx')) as HTMLButtonElement;
  expect(button.disabled).toBe(false);
  expect(button.textContent).toContain('非签署件');
  fireEvent.click(button);
  await waitFor(() => expect(h.api.reportDocx).toHaveBeenCalledWith(null, 'zh'));
  const item = await screen.findByTestId('export-result-item');
  expect(item.textContent).toContain('可编辑报告（Word）');
  expect(item.textContent).toContain('/p/exports/报告-R1.docx');
});

test('with no identity, a hint points to Settings and export stays disabled', async () => {
  h.api.identities.mockResolvedValue([]);
  renderScreen(<Export />, { project: APPROVED });
  const hint = await screen.findByTestId('export-no-identity');
  expect(hint.textContent).toContain('设置');
  fireEvent.change(input('export-password'), { target: { value: 'pw' } });
  expect((screen.getByTestId('export-report') as HTMLButtonElement).disabled).toBe(true);
});

test('an export refused by the core is reported', async () => {
  const reportError = vi.fn();
  const err = { zh: '密码错误', en: 'wrong password' };
  h.api.exportReport.mockRejectedValue(err);
  renderScreen(<Export />, { project: APPROVED, fns: { reportError } });
  await screen.findByTestId('export-identity');
  fireEvent.change(input('export-password'), { target: { value: 'bad' } });
  fireEvent.click(screen.getByTestId('export-report'));
  await waitFor(() => expect(reportError).toHaveBeenCalledWith(err));
  expect(screen.queryByTestId('export-result')).toBeNull();
});

test('the report preview lives in a shadow root, with scripts removed', async () => {
  const html =
    '<!DOCTYPE html><html><head><style>body { color: rgb(1, 2, 3); } .x { color: red }</style></head>' +
    '<body><h1 class="x">评估报告 PREVIEW-MARK</h1><script>window.__pwned = 1</script><p onclick="alert(1)">p</p></body></html>';
  h.api.reportPreview.mockResolvedValue(html);
  renderScreen(<Export />, { project: APPROVED });
  fireEvent.click(screen.getByTestId('report-preview-load'));
  await waitFor(() => expect(screen.getByTestId('report-preview').shadowRoot).not.toBeNull());
  expect(h.api.reportPreview).toHaveBeenCalledWith(null, 'zh');
  const host = screen.getByTestId('report-preview');
  const root = host.shadowRoot!;
  expect(root.textContent).toContain('PREVIEW-MARK');
  expect(host.innerHTML).not.toContain('PREVIEW-MARK'); // not in the light DOM
  expect(document.body.innerHTML).not.toContain('PREVIEW-MARK');
  expect(root.querySelector('script')).toBeNull();
  expect(root.querySelector('[onclick]')).toBeNull();
  expect(Array.from(root.querySelectorAll('style')).map((s) => s.textContent).join('\n')).toContain('.report-root { color: rgb(1, 2, 3); }');
  expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  expect(document.querySelector('iframe')).toBeNull();
  expect(host.style.height).toBe('600px');
});

test('the journal check shows entries and breaks', async () => {
  h.api.journalVerify.mockResolvedValue({ entries: 42, head: 'a'.repeat(64), breaks: [{ seq: 17, kind: 'edited', detail: '2025-03-01 verdict_set' }] });
  renderScreen(<Export />);
  fireEvent.click(screen.getByTestId('journal-verify'));
  const res = await screen.findByTestId('journal-result');
  expect(res.getAttribute('data-ok')).toBe('false');
  expect(res.textContent).toContain('共 42 条记录');
  expect(within(res).getByTestId('journal-break').textContent).toContain('#17 edited');
});

test('earlier exports of the project are listed with kind (worded by the core), size and time, and reloaded after an export', async () => {
  h.api.exportsList
    .mockResolvedValueOnce([
      { name: '报告-测试-R1-20260101-100000.pdf', size: 2048, modified: '2026-01-01T02:00:00Z', kind: 'report', kind_label: { zh: '核心-报告', en: 'core-report' } },
      { name: '合规日历-测试.ics', size: 10, modified: null, kind: 'calendar', kind_label: { zh: '核心-日历', en: 'core-calendar' } },
    ])
    .mockResolvedValue([{ name: '备案包-测试-R2.zip', size: 5, modified: '2026-02-01T02:00:00Z', kind: 'package', kind_label: { zh: '核心-包', en: 'core-package' } }]);
  h.api.exportReport.mockResolvedValue({ path: '/p/exports/x.pdf', size: 1, sha256: '1', pages: 1 });
  renderScreen(<Export />, { project: APPROVED });
  const list = await screen.findByTestId('exports-list');
  const rows = within(list).getAllByTestId('exports-item');
  expect(rows.map((r) => r.getAttribute('data-kind'))).toEqual(['report', 'calendar']);
  expect(rows[0].textContent).toContain('报告-测试-R1-20260101-100000.pdf');
  expect(rows[0].textContent).toContain('核心-报告');
  expect(rows[0].textContent).toContain('2.0 KiB');
  expect(rows[0].textContent).toMatch(/2026-01-01 \d\d:00/);
  expect(rows[1].textContent).toContain('—');
  await screen.findByTestId('export-identity');
  fireEvent.change(input('export-password'), { target: { value: 'pw' } });
  fireEvent.click(screen.getByTestId('export-report'));
  await waitFor(() => expect(within(screen.getByTestId('exports-list')).getAllByTestId('exports-item')).toHaveLength(1));
  expect(screen.getByTestId('exports-list').textContent).toContain('核心-包');
  expect(h.api.exportsList).toHaveBeenCalledTimes(2);
});

test('no earlier exports', async () => {
  renderScreen(<Export />, { project: APPROVED, lang: 'en' });
  await waitFor(() => expect(screen.getByTestId('exports-earlier').textContent).toContain('Nothing exported yet'));
});

test('an identity whose file holds several keys: its default key is preselected, another can be chosen for this export', async () => {
  const fp = (c: string) => c.repeat(64);
  const keys = [
    { index: 1, alias: 'old-2024', subject_cn: '旧', organisation: 'O', fingerprint_sha256: fp('1'), key: 'RSA-2048', problem: null, selector: fp('1') },
    { index: 2, alias: 'new-2026', subject_cn: '新', organisation: 'O', fingerprint_sha256: fp('2'), key: 'ECDSA P-256', problem: null, selector: fp('2') },
  ];
  h.api.identities.mockResolvedValue([{ ...ident('机构签名'), key_alias: fp('2'), keys }, ident('张三-2025')]);
  h.api.exportReport.mockResolvedValue({ path: '/p/exports/x.pdf', size: 1, sha256: '1', pages: 1 });
  renderScreen(<Export />, { project: APPROVED });
  const box = await screen.findByTestId('export-keys');
  expect(box.textContent).toContain('含 2 个密钥');
  const radio = (id: string) => {
    const el = screen.getByTestId(id);
    return (el.tagName === 'INPUT' ? el : el.querySelector('input')!) as HTMLInputElement;
  };
  await waitFor(() => expect(radio('export-key-2').checked).toBe(true));
  fireEvent.click(radio('export-key-1'));
  fireEvent.change(input('export-password'), { target: { value: 'pw' } });
  fireEvent.click(screen.getByTestId('export-report'));
  await waitFor(() => expect(h.api.exportReport).toHaveBeenCalledWith(expect.objectContaining({ identity: '机构签名', key: fp('1') })));
  // A single-key identity shows no key choice and sends none.
  fireEvent.click(within(screen.getByTestId('export-identity')).getByDisplayValue('张三-2025'));
  await waitFor(() => expect(screen.queryByTestId('export-keys')).toBeNull());
});

test('readiness warnings from the core: verdicts without evidence, and the refusal when evidence is required', async () => {
  h.api.readiness.mockResolvedValue({
    readiness: {
      require_evidence: true,
      without_evidence: [
        { requirement: 'GB44495-5-01', verdict: 'partial', veto: false, evidence_reason: '', blocks: false },
        { requirement: 'GB44495-5-02', verdict: 'conform', veto: false, evidence_reason: '', blocks: true },
      ],
      unconfirmed: [],
      rejudge: [],
    },
    messages: [
      { zh: '1 项结论没有关联证据（GB44495-5-01）', en: '1 verdict(s) have no linked evidence (GB44495-5-01)' },
      { zh: '本项目要求证据：1 项符合/不符合或否决项结论既无关联证据也未记录理由（GB44495-5-02）', en: 'this project requires evidence: 1 … (GB44495-5-02)' },
    ],
  });
  renderScreen(<Export />);
  const w = await screen.findByTestId('ready-evidence-0');
  expect(w.textContent).toContain('GB44495-5-01');
  expect(w.getAttribute('data-level')).toBe('warn');
  const b = screen.getByTestId('ready-evidence-1');
  expect(b.textContent).toContain('本项目要求证据');
  expect(b.getAttribute('data-level')).toBe('err');
});
