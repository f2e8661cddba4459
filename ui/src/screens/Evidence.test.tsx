import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { EvidenceItem, EvidencePage, EvidenceQuery } from '../api';
import { Evidence } from './Evidence';
import { projectFixture, renderScreen } from './evidence/testkit';

const h = vi.hoisted(() => ({
  api: {
    evidencePage: vi.fn(),
    evidenceAddPick: vi.fn(),
    evidenceAddDropped: vi.fn(),
    evidenceLink: vi.fn(),
    evidenceUnlink: vi.fn(),
    evidenceVerify: vi.fn(),
    evidencePreview: vi.fn(),
    evidenceSummary: vi.fn(async (_id: number): Promise<unknown> => null),
    evidenceSetDetails: vi.fn(),
  },
  drop: { cb: null as null | ((names: string[]) => void) },
}));

vi.mock('../api', async (orig) => ({
  ...(await orig<typeof import('../api')>()),
  api: h.api,
  onDrop: vi.fn((cb: (names: string[]) => void) => {
    h.drop.cb = cb;
    return Promise.resolve(() => {
      h.drop.cb = null;
    });
  }),
}));

const SHA = 'a'.repeat(60) + '1234';
const SM3 = 'b'.repeat(60) + '5678';

function item(id: number, title: string, name: string, reqs: string[] = []): EvidenceItem {
  return {
    id,
    title,
    method: 'examine',
    note: '',
    collected_at: '2025-03-01T10:00:00+08:00',
    collected_by: '张三',
    revision: 1,
    original_name: name,
    original_path: `/data/${name}`,
    size: 2048,
    modified_at: null,
    sha256: id === 1 ? SHA : `${id}`.padStart(64, 'c'),
    sm3: id === 1 ? SM3 : `${id}`.padStart(64, 'd'),
    requirements: reqs,
  };
}

const LIST = [item(1, '安全管理制度', 'policy.pdf', ['GB44495-5-01']), item(2, '渗透测试报告', 'pentest.docx')];

/** What the core's evidence_page does, over `rows` (search as the core does: ASCII case folded). */
function pageOf(rows: EvidenceItem[], q: EvidenceQuery): EvidencePage {
  const n = q.search.toLowerCase();
  const hits = rows.filter((e) => !n || [`#${e.id}`, e.title, e.original_name, e.original_path, e.sha256, ...e.requirements].some((f) => f.toLowerCase().includes(n)));
  return { items: hits.slice(q.offset, q.offset + q.limit), total: hits.length, all: rows.length, offset: q.offset };
}

beforeEach(() => {
  Object.values(h.api).forEach((f) => f.mockReset());
  h.api.evidencePage.mockImplementation((q: EvidenceQuery) => Promise.resolve(pageOf(LIST, q)));
  h.drop.cb = null;
});

test('lists evidence with shortened hashes carrying the full value, and filters by search', async () => {
  renderScreen(<Evidence />);
  const row = await screen.findByTestId('evidence-row-1');
  expect(within(row).getByText('安全管理制度')).toBeTruthy();
  expect(within(row).getByText('2.0 KiB')).toBeTruthy();
  const hashEl = row.querySelector(`[data-hash="${SHA}"]`);
  expect(hashEl).not.toBeNull();
  expect(hashEl!.classList.contains('mono')).toBe(true);
  expect(hashEl!.textContent).not.toContain(SHA); // shortened on screen
  expect(row.querySelector(`[data-hash="${SM3}"]`)).not.toBeNull();
  expect(screen.getByTestId('evidence-row-2')).toBeTruthy();

  expect(h.api.evidencePage).toHaveBeenCalledWith({ offset: 0, limit: 20, sort: 'id', descending: false, search: '', requirement: null });

  // Typing is debounced: the first key goes at once, the burst after it as
  // one query for the whole word, run by the core.
  const search = screen.getByTestId('evidence-search');
  const input = search.tagName === 'INPUT' ? search : search.querySelector('input')!;
  // The clock stands still while the keys go in (jsdom renders slower than anyone types).
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    for (const v of ['p', 'pe', 'pen', 'PenTest ']) fireEvent.change(input, { target: { value: v } });
  } finally {
    vi.useRealTimers();
  }
  await waitFor(() => expect(screen.queryByTestId('evidence-row-1')).toBeNull());
  expect(screen.getByTestId('evidence-row-2')).toBeTruthy();
  expect(h.api.evidencePage.mock.calls.map(([q]) => q.search)).toEqual(['', 'p', 'PenTest']);
  expect(h.api.evidencePage).toHaveBeenLastCalledWith(expect.objectContaining({ search: 'PenTest', offset: 0 }));
  expect(screen.getByTestId('evidence-count').textContent).toBe('1 / 2 项');
});

test('100,000 items: only one page is fetched; paging and sorting are asked of the core', async () => {
  const N = 100_000;
  h.api.evidencePage.mockImplementation((q: EvidenceQuery) => {
    const ids = Array.from({ length: Math.min(q.limit, N - q.offset) }, (_, i) => (q.descending ? N - q.offset - i : q.offset + i + 1));
    return Promise.resolve({ items: ids.map((id) => item(id, `证据 ${id}`, `f${id}.txt`)), total: N, all: N, offset: q.offset });
  });
  const { container } = renderScreen(<Evidence />);
  await screen.findByTestId('evidence-row-1');
  expect(container.querySelectorAll('[data-testid^="evidence-row-"]').length).toBe(20);
  expect(screen.getByTestId('evidence-table').querySelector('table')).not.toBeNull();
  expect(screen.getByTestId('evidence-count').textContent).toBe('共 100000 项');
  expect(container.querySelector('.ant-pagination-item-5000')).not.toBeNull();

  fireEvent.click(container.querySelector('.ant-pagination-next button, li.ant-pagination-next')!);
  await screen.findByTestId('evidence-row-21');
  expect(h.api.evidencePage).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 20, limit: 20, sort: 'id' }));
  expect(screen.queryByTestId('evidence-row-1')).toBeNull();

  // Sorting by size, then descending: back to the first page, order from the core.
  const sizeHeader = screen.getByText('大小').closest('th')!;
  fireEvent.click(sizeHeader);
  await waitFor(() => expect(h.api.evidencePage).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 0, sort: 'size', descending: false })));
  fireEvent.click(sizeHeader);
  await waitFor(() => expect(h.api.evidencePage).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 0, sort: 'size', descending: true })));
  await screen.findByTestId(`evidence-row-${N}`);
  // The last page, straight away.
  fireEvent.click(container.querySelector('.ant-pagination-item-5000')!);
  await waitFor(() => expect(h.api.evidencePage).toHaveBeenLastCalledWith(expect.objectContaining({ offset: N - 20, sort: 'size', descending: true })));
  await screen.findByTestId('evidence-row-1');
}, 30000); // jsdom renders five pages of 20 rows: slow, not the app

test('a slow answer to an older query never replaces the newer one', async () => {
  let release: (p: EvidencePage) => void = () => undefined;
  h.api.evidencePage.mockImplementation((q: EvidenceQuery) =>
    q.search === 'slow' ? new Promise<EvidencePage>((r) => (release = r)) : Promise.resolve(pageOf(LIST, q)),
  );
  renderScreen(<Evidence />);
  await screen.findByTestId('evidence-row-1');
  const search = screen.getByTestId('evidence-search');
  const input = search.tagName === 'INPUT' ? search : search.querySelector('input')!;
  fireEvent.change(input, { target: { value: 'slow' } });
  await waitFor(() => expect(h.api.evidencePage).toHaveBeenLastCalledWith(expect.objectContaining({ search: 'slow' })));
  fireEvent.change(input, { target: { value: 'policy' } });
  await waitFor(() => expect(screen.queryByTestId('evidence-row-2')).toBeNull());
  await act(async () => release(pageOf(LIST, { offset: 0, limit: 20, sort: 'id', descending: false, search: '', requirement: null })));
  expect(screen.queryByTestId('evidence-row-2')).toBeNull();
  expect(screen.getByTestId('evidence-row-1')).toBeTruthy();
});

test('a linked requirement tag opens the requirement', async () => {
  const gotoRequirement = vi.fn();
  renderScreen(<Evidence />, { fns: { gotoRequirement } });
  fireEvent.click(await screen.findByTestId('evidence-req-1-GB44495-5-01'));
  expect(gotoRequirement).toHaveBeenCalledWith('GB44495-5-01');
});

test('verify-all with a modified file names it and shows a failure', async () => {
  h.api.evidenceVerify.mockResolvedValue({
    checked: 2,
    ok: 1,
    missing: [],
    modified: [[SHA, 'SM3 不一致 / SM3 differs', ['#1 r1 policy.pdf']]],
    unexpected: ['vault/ff/ffff'],
  });
  renderScreen(<Evidence />);
  await screen.findByTestId('evidence-row-1');
  fireEvent.click(screen.getByTestId('evidence-verify'));
  const res = await screen.findByTestId('evidence-verify-result');
  expect(res.getAttribute('data-ok')).toBe('false');
  expect(within(res).getByText('证据库有问题')).toBeTruthy();
  expect(within(screen.getByTestId('verify-modified')).getByText(/#1 r1 policy\.pdf/)).toBeTruthy();
  expect(within(screen.getByTestId('verify-unexpected')).getByText('vault/ff/ffff')).toBeTruthy();
  expect(res.querySelector('.ant-result-error')).not.toBeNull();
});

test('verify-all with everything intact shows success', async () => {
  h.api.evidenceVerify.mockResolvedValue({ checked: 2, ok: 2, missing: [], modified: [], unexpected: [] });
  renderScreen(<Evidence />);
  fireEvent.click(screen.getByTestId('evidence-verify'));
  const res = await screen.findByTestId('evidence-verify-result');
  expect(res.getAttribute('data-ok')).toBe('true');
  expect(res.querySelector('.ant-result-success')).not.toBeNull();
  expect(screen.queryByTestId('verify-modified')).toBeNull();
});

test('dropped files are added with the chosen requirement; the summary shows failures', async () => {
  const refresh = vi.fn(() => Promise.resolve());
  h.api.evidenceAddDropped.mockResolvedValue({
    added: [
      { id: 3, name: 'a.png', sha256: 'x', sm3: 'y', size: 1, deduplicated: false },
      { id: 4, name: 'b.png', sha256: 'x', sm3: 'y', size: 1, deduplicated: true },
    ],
    failed: [{ path: '/data/locked.bin', error: { zh: '无法读取', en: 'cannot read' } }],
    cancelled: false,
  });
  renderScreen(<Evidence />, { fns: { refresh } });
  await screen.findByTestId('evidence-row-1');
  await waitFor(() => expect(h.drop.cb).not.toBeNull());
  act(() => h.drop.cb!(['a.png', 'b.png', 'locked.bin']));
  expect(within(screen.getByTestId('evidence-dropped')).getByText('locked.bin')).toBeTruthy();

  // An unknown requirement id blocks adding.
  const req = screen.getByTestId('evidence-add-requirement');
  fireEvent.change(req, { target: { value: 'NOPE-1' } });
  expect(screen.getByTestId('evidence-add-requirement-hint').textContent).toContain('没有这个要求编号');
  expect((screen.getByTestId('evidence-add-dropped') as HTMLButtonElement).disabled).toBe(true);

  fireEvent.change(req, { target: { value: 'gb44495-5-02' } });
  expect(screen.getByTestId('evidence-add-requirement-hint').textContent).toContain('漏洞管理');
  fireEvent.click(screen.getByTestId('evidence-add-dropped'));
  const sum = await screen.findByTestId('evidence-add-result');
  expect(h.api.evidenceAddDropped).toHaveBeenCalledWith('GB44495-5-02');
  expect(within(sum).getByTestId('evidence-added-count').textContent).toContain('已添加 2 项');
  expect(sum.textContent).toContain('其中 1 项内容已在证据库中');
  const failed = within(sum).getByTestId('evidence-failed-item');
  expect(failed.textContent).toContain('/data/locked.bin');
  expect(failed.textContent).toContain('无法读取');
  await waitFor(() => expect(h.api.evidencePage).toHaveBeenCalledTimes(2));
  expect(refresh).toHaveBeenCalled();
  expect(screen.queryByTestId('evidence-dropped')).toBeNull();
});

test('file and folder choosers; a closed chooser shows nothing', async () => {
  h.api.evidenceAddPick.mockResolvedValueOnce({ added: [], failed: [], cancelled: true });
  h.api.evidenceAddPick.mockResolvedValueOnce({ added: [{ id: 5, name: 'd', sha256: 'x', sm3: 'y', size: 1, deduplicated: false }], failed: [], cancelled: false });
  renderScreen(<Evidence />);
  fireEvent.click(screen.getByTestId('evidence-add-files'));
  await waitFor(() => expect(h.api.evidenceAddPick).toHaveBeenCalledWith(null, false));
  await waitFor(() => expect(screen.getByTestId('evidence-add-files').className).not.toContain('ant-btn-loading'));
  expect(screen.queryByTestId('evidence-add-result')).toBeNull();
  fireEvent.click(screen.getByTestId('evidence-add-folder'));
  await screen.findByTestId('evidence-add-result');
  expect(h.api.evidenceAddPick).toHaveBeenLastCalledWith(null, true);
});

test('a frozen (approved) project refuses additions and relinking', async () => {
  renderScreen(<Evidence />, { project: projectFixture({ state: 'approved' }) });
  await screen.findByTestId('evidence-row-1');
  expect(screen.getByTestId('evidence-frozen')).toBeTruthy();
  expect((screen.getByTestId('evidence-add-files') as HTMLButtonElement).disabled).toBe(true);
  expect((screen.getByTestId('evidence-add-folder') as HTMLButtonElement).disabled).toBe(true);
  expect((screen.getByTestId('evidence-link-1') as HTMLButtonElement).disabled).toBe(true);
  expect(screen.queryByTestId('evidence-unlink-1-GB44495-5-01')).toBeNull();
  // Verification and preview stay available.
  expect((screen.getByTestId('evidence-verify') as HTMLButtonElement).disabled).toBe(false);
});

test('preview shows PDF page count and text, or the reason there is none', async () => {
  h.api.evidencePreview.mockResolvedValueOnce({ kind: 'pdf', pages: 7, text: '第一章 总则', name: 'policy.pdf' });
  h.api.evidencePreview.mockResolvedValueOnce({ kind: 'none', name: 'pentest.docx', reason: { zh: '不支持此格式', en: 'unsupported format' } });
  renderScreen(<Evidence />);
  fireEvent.click(await screen.findByTestId('evidence-preview-1'));
  expect((await screen.findByTestId('evidence-preview-text')).textContent).toBe('第一章 总则');
  expect(screen.getByText(/共 7 页/)).toBeTruthy();
  expect(h.api.evidencePreview).toHaveBeenCalledWith(1);
  fireEvent.click(screen.getByTestId('evidence-preview-2'));
  expect((await screen.findByTestId('evidence-preview-reason')).textContent).toBe('不支持此格式');
});

test('link to a requirement and unlink from a tag', async () => {
  const refresh = vi.fn(() => Promise.resolve());
  h.api.evidenceLink.mockResolvedValue(undefined);
  h.api.evidenceUnlink.mockResolvedValue(undefined);
  renderScreen(<Evidence />, { fns: { refresh } });
  fireEvent.click(await screen.findByTestId('evidence-link-2'));
  const input = await screen.findByTestId('evidence-link-input');
  fireEvent.change(input, { target: { value: 'GB44495-5-01' } });
  fireEvent.click(screen.getByTestId('evidence-link-ok'));
  await waitFor(() => expect(h.api.evidenceLink).toHaveBeenCalledWith(2, 'GB44495-5-01'));
  await waitFor(() => expect(refresh).toHaveBeenCalled());

  fireEvent.click(screen.getByTestId('evidence-unlink-1-GB44495-5-01'));
  fireEvent.click(await screen.findByRole('button', { name: '取消关联' }));
  await waitFor(() => expect(h.api.evidenceUnlink).toHaveBeenCalledWith(1, 'GB44495-5-01'));
});

test('errors from the core are reported', async () => {
  const reportError = vi.fn();
  const err = { zh: '证据库不可读', en: 'vault unreadable' };
  h.api.evidenceVerify.mockRejectedValue(err);
  renderScreen(<Evidence />, { fns: { reportError } });
  fireEvent.click(screen.getByTestId('evidence-verify'));
  await waitFor(() => expect(reportError).toHaveBeenCalledWith(err));
  expect(screen.queryByTestId('evidence-verify-result')).toBeNull();
});

test('the preview shows the parsed tool output and edits the document version and issuer', async () => {
  h.api.evidencePreview.mockResolvedValue({ kind: 'text', text: '{}', truncated: false, name: 'trivy.json' });
  h.api.evidenceSummary.mockImplementation(async (id: number) =>
    id === 1
      ? {
          evidence_id: 1,
          revision: 2,
          made_at: '2026-12-01T01:00:00Z',
          summary: {
            kind: 'trivy', format_version: '2', tool: 'Trivy 0.50', scanned_at: '2026-11-30T08:00:00Z', target: 'tbox-fw.img',
            components: [{ name: 'openssl', version: '3.0.2', purl: null }, { name: 'busybox', version: '1.36', purl: null }],
            vulnerability_scan: true,
            vulnerabilities: [{ id: 'CVE-2024-0001', severity: 'high', package: 'openssl', installed_version: '3.0.2', fixed_version: '3.0.14', cvss: 7.5, handled: false }],
            hosts: [], declared_ports: [],
          },
        }
      : null,
  );
  h.api.evidenceSetDetails.mockImplementation(async (id: number, d: { doc_version?: string; issuer?: string }) => ({
    ...item(id, '安全管理制度', 'policy.pdf'),
    doc_version: d.doc_version,
    issuer: d.issuer,
  }));
  renderScreen(<Evidence />);
  fireEvent.click(await screen.findByTestId('evidence-preview-1'));
  expect((await screen.findByTestId('scan-kind')).textContent).toBe('trivy');
  expect(screen.getByTestId('scan-components').textContent).toBe('2');
  expect(screen.getByTestId('scan-vulns').textContent).toContain('high 1');
  expect(screen.getByText('CVE-2024-0001')).toBeTruthy();
  fireEvent.change(screen.getByTestId('evidence-doc-version'), { target: { value: ' V2.1 ' } });
  fireEvent.change(screen.getByTestId('evidence-issuer'), { target: { value: '测试汽车有限公司信息安全部' } });
  fireEvent.click(screen.getByTestId('evidence-details-save'));
  await waitFor(() => expect(h.api.evidenceSetDetails).toHaveBeenCalledWith(1, { doc_version: 'V2.1', issuer: '测试汽车有限公司信息安全部' }));
  await waitFor(() => expect((screen.getByTestId('evidence-doc-version') as HTMLInputElement).value).toBe('V2.1'));
  // evidence that is not a tool output shows no summary
  fireEvent.click(screen.getByTestId('evidence-preview-2'));
  await waitFor(() => expect(h.api.evidenceSummary).toHaveBeenCalledWith(2));
  await waitFor(() => expect(screen.queryByTestId('scan-kind')).toBeNull());
});
