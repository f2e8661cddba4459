import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { detailOf, findings, library, makeState, project, renderScreen, statuses } from './workspace/testFixture';
import { Workspace } from './Workspace';

const mocks = vi.hoisted(() => ({
  requirementDetail: vi.fn(),
  verdictSet: vi.fn(),
  verdictConfirm: vi.fn(),
  evidenceAddPick: vi.fn(),
  evidenceAddDropped: vi.fn(),
  evidenceUnlink: vi.fn(),
  findingAdd: vi.fn(),
  findingUpdate: vi.fn(),
  sourceLabel: vi.fn(),
  riskInfo: vi.fn(async () => ({
    rule: { zh: '风险等级 = 影响 × 可能性', en: 'risk = impact × likelihood' },
    labels: { high: { zh: '高', en: 'High' }, medium: { zh: '中', en: 'Medium' }, low: { zh: '低', en: 'Low' } },
  })),
  evidenceSummary: vi.fn(),
  teamView: vi.fn(),
  previousVerdict: vi.fn(),
  assignSet: vi.fn(),
}));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: mocks, onDrop: () => Promise.resolve(() => undefined) }));

beforeEach(() => {
  for (const m of Object.values(mocks)) m.mockReset();
  mocks.requirementDetail.mockImplementation(async (id: string) => detailOf(id));
  mocks.verdictSet.mockResolvedValue({});
  mocks.verdictConfirm.mockResolvedValue({});
  mocks.sourceLabel.mockImplementation(async (f: string) => {
    const m = /^evidence:(\d+)$/.exec(f);
    return m ? { zh: `证据 #${m[1]}（工具输出）`, en: `evidence #${m[1]} (tool output)` } : { zh: f, en: f };
  });
  mocks.evidenceSummary.mockResolvedValue(null);
});

function Harness({ initial = null as string | null, onFocus = vi.fn() as (id: string | null) => void }) {
  const [focus, setFocus] = useState<string | null>(initial);
  return (
    <>
      <Workspace
        focus={focus}
        onFocus={(id) => {
          setFocus(id);
          onFocus(id);
        }}
      />
      <button data-testid="ext-focus" onClick={() => setFocus('GB1-04')} />
    </>
  );
}

const rows = () =>
  Array.from(document.querySelectorAll('[role="treeitem"][data-req]'))
    .map((e) => e.getAttribute('data-testid')!.slice(4))
    .sort();

async function open(id: string, state = makeState()) {
  const onFocus = vi.fn();
  const r = renderScreen(<Harness initial={id} onFocus={onFocus} />, state);
  await screen.findByTestId('verdict-editor');
  await waitFor(() => expect(screen.getByTestId('detail-id').textContent).toBe(id));
  return { ...r, onFocus, state };
}

function pickFilter(label: string) {
  fireEvent.click(within(screen.getByTestId('filter')).getByText(label));
}

test('the tree holds only the project packs, with section counts and marks', async () => {
  await open('GB1-01');
  expect(rows()).toEqual(['BJ-01', 'BJ-02', 'BJ-03', 'GB1-01', 'GB1-02', 'GB1-03', 'GB1-04']);
  expect(screen.queryByTestId('req-OTHER-01')).toBeNull();
  // GB1 7.1: GB1-01, GB1-02 judged, GB1-03 not → 2/3
  expect(screen.getByTestId('section-GB1-S1').textContent).toContain('2/3');
  // BJ: the inferred one is not done; the scope N/A one is → 1/3
  expect(screen.getByTestId('pack-BJ').textContent).toContain('1/3');
  expect(within(screen.getByTestId('req-BJ-01')).getByTestId('mark-inferred')).toBeTruthy();
  expect(within(screen.getByTestId('req-GB1-03')).getByTestId('mark-to-confirm')).toBeTruthy();
  expect(screen.getByTestId('req-GB1-01').textContent).toContain('否决');
  expect(screen.getByTestId('req-BJ-02').getAttribute('title')).toContain('未提供远程升级');
});

test('filters: 未评估 shows only applicable unassessed ones, and the others their own', async () => {
  await open('GB1-01');
  pickFilter('未评估');
  expect(rows()).toEqual(['BJ-03', 'GB1-03']);
  pickFilter('不符合');
  expect(rows()).toEqual(['GB1-02', 'GB1-04']);
  pickFilter('推断待确认');
  expect(rows()).toEqual(['BJ-01']);
  pickFilter('待核对');
  expect(rows()).toEqual(['GB1-03']);
  pickFilter('全部');
  expect(rows()).toHaveLength(7);
});

test('mine: only the requirements assigned to the assessor from Settings; last cycle\'s verdict is shown', async () => {
  mocks.teamView.mockResolvedValue({
    assignments: [{ pattern: 'GB1-02', assignee: '张工', set_by: '张工', set_at: 'x' }, { pattern: 'BJ-03', assignee: '张工', set_by: '张工', set_at: 'x' }, { pattern: 'GB1-01', assignee: '李工', set_by: '张工', set_at: 'x' }],
    assignees: { 'GB1-02': '张工', 'BJ-03': '张工', 'GB1-01': '李工' },
    progress: [],
    me: '张工',
  });
  mocks.previousVerdict.mockImplementation(async (id: string) =>
    id === 'GB1-01' ? { verdict: 'partial', note: '去年：制度未覆盖数据安全', assessor: '王工', at: '2025-11-30T08:00:00Z' } : null,
  );
  await open('GB1-01');
  expect((await screen.findByTestId('previous-verdict')).textContent).toContain('去年：制度未覆盖数据安全');
  expect(screen.getByTestId('previous-verdict').textContent).toContain('部分符合');
  expect((await screen.findByTestId('assigned-to')).textContent).toContain('李工');
  fireEvent.click(screen.getByTestId('filter-mine'));
  await waitFor(() => expect(rows()).toEqual(['BJ-03', 'GB1-02']));
});

test('search narrows by id or title', async () => {
  await open('GB1-01');
  fireEvent.change(screen.getByTestId('req-search'), { target: { value: '漏洞' } });
  expect(rows()).toEqual(['GB1-02']);
  fireEvent.change(screen.getByTestId('req-search'), { target: { value: 'bj-0' } });
  expect(rows()).toEqual(['BJ-01', 'BJ-02', 'BJ-03']);
});

test('selecting a row loads its detail and reports the focus', async () => {
  const { onFocus } = await open('GB1-01');
  fireEvent.click(screen.getByTestId('req-GB1-03'));
  await waitFor(() => expect(screen.getByTestId('detail-id').textContent).toBe('GB1-03'));
  expect(mocks.requirementDetail).toHaveBeenLastCalledWith('GB1-03');
  expect(onFocus).toHaveBeenLastCalledWith('GB1-03');
  const mark = screen.getByTestId('to-confirm-mark');
  expect(mark.textContent).toContain('待与正式文本核对');
  expect(mark.textContent).toContain('依据二手资料整理');
  expect(screen.getByTestId('detail-test').textContent).toContain('六个月');
  expect(screen.getByTestId('detail-expected').textContent).toContain('日志留存的制度文件');
});

test('keys: 3, a note, Ctrl+Enter saves 不符合 with the note', async () => {
  const { state } = await open('GB1-03');
  fireEvent.keyDown(document.body, { key: '3' });
  expect(screen.getByTestId('verdict-nonconform').getAttribute('aria-pressed')).toBe('true');
  const note = screen.getByTestId('verdict-note');
  await waitFor(() => expect(document.activeElement).toBe(note));
  fireEvent.change(note, { target: { value: '未留存日志' } });
  fireEvent.keyDown(note, { key: 'Enter', ctrlKey: true });
  await waitFor(() => expect(mocks.verdictSet).toHaveBeenCalledWith('GB1-03', 'nonconform', '未留存日志', '', ''));
  await waitFor(() => expect(state.refresh).toHaveBeenCalled());
  await waitFor(() => expect(mocks.requirementDetail).toHaveBeenCalledTimes(2));
});

test('digits typed in the note are text, not shortcuts', async () => {
  await open('GB1-03');
  fireEvent.click(screen.getByTestId('verdict-conform'));
  fireEvent.keyDown(screen.getByTestId('verdict-note'), { key: '3' });
  expect(screen.getByTestId('verdict-conform').getAttribute('aria-pressed')).toBe('true');
});

test('partial without a justification is not saved and the rule is shown', async () => {
  await open('GB1-03');
  fireEvent.click(screen.getByTestId('verdict-partial'));
  fireEvent.click(screen.getByTestId('verdict-save'));
  expect(await screen.findByTestId('verdict-rule')).toBeTruthy();
  expect(screen.getByTestId('verdict-rule').textContent).toContain('部分符合');
  expect(mocks.verdictSet).not.toHaveBeenCalled();
  // 符合 needs none
  fireEvent.click(screen.getByTestId('verdict-conform'));
  fireEvent.click(screen.getByTestId('verdict-save'));
  await waitFor(() => expect(mocks.verdictSet).toHaveBeenCalledWith('GB1-03', 'conform', '', '', ''));
});

test('an inferred verdict shows its source and can be confirmed', async () => {
  const { state } = await open('BJ-01');
  expect(screen.getByTestId('inferred-notice').textContent).toContain('GB1-01');
  fireEvent.click(screen.getByTestId('verdict-confirm'));
  await waitFor(() => expect(mocks.verdictConfirm).toHaveBeenCalledWith('BJ-01'));
  await waitFor(() => expect(state.refresh).toHaveBeenCalled());
});

test('j / k and arrows move through the filtered list', async () => {
  const { onFocus } = await open('GB1-01');
  fireEvent.keyDown(document.body, { key: 'j' });
  await waitFor(() => expect(screen.getByTestId('req-GB1-02').getAttribute('aria-selected')).toBe('true'));
  expect(onFocus).toHaveBeenLastCalledWith('GB1-02');
  fireEvent.keyDown(document.body, { key: 'ArrowDown' });
  await waitFor(() => expect(screen.getByTestId('req-GB1-03').getAttribute('aria-selected')).toBe('true'));
  fireEvent.keyDown(document.body, { key: 'k' });
  await waitFor(() => expect(screen.getByTestId('req-GB1-02').getAttribute('aria-selected')).toBe('true'));
  pickFilter('未评估');
  // GB1-02 is not in the filtered list: the next one after it is GB1-03
  fireEvent.keyDown(document.body, { key: 'j' });
  await waitFor(() => expect(screen.getByTestId('req-GB1-03').getAttribute('aria-selected')).toBe('true'));
  fireEvent.keyDown(document.body, { key: 'j' });
  await waitFor(() => expect(screen.getByTestId('req-BJ-03').getAttribute('aria-selected')).toBe('true'));
  fireEvent.keyDown(document.body, { key: '/' });
  expect(document.activeElement).toBe(screen.getByTestId('req-search'));
});

test('a focus given from elsewhere selects that requirement and opens its section', async () => {
  await open('GB1-01');
  fireEvent.click(screen.getByTestId('section-GB1-S2'));
  expect(screen.queryByTestId('req-GB1-04')).toBeNull();
  fireEvent.click(screen.getByTestId('ext-focus'));
  await waitFor(() => expect(screen.getByTestId('detail-id').textContent).toBe('GB1-04'));
  expect(screen.getByTestId('req-GB1-04').getAttribute('aria-selected')).toBe('true');
});

test('a mapped requirement jumps there', async () => {
  const { onFocus } = await open('GB1-01');
  fireEvent.click(screen.getByTestId('mapping-BJ-01'));
  await waitFor(() => expect(onFocus).toHaveBeenLastCalledWith('BJ-01'));
  await waitFor(() => expect(screen.getByTestId('detail-id').textContent).toBe('BJ-01'));
});

test('an approved project is read-only', async () => {
  await open('GB1-03', makeState({ project: { ...project, meta: { ...project.meta, state: 'approved' } } }));
  expect(screen.getByTestId('frozen-notice').textContent).toContain('项目已批准');
  expect(screen.getByTestId('verdict-save')).toHaveProperty('disabled', true);
  expect(screen.getByTestId('req-add-evidence')).toHaveProperty('disabled', true);
  fireEvent.keyDown(document.body, { key: '1' });
  fireEvent.keyDown(document.body, { key: 'Enter', ctrlKey: true });
  expect(mocks.verdictSet).not.toHaveBeenCalled();
});

test('a requirement ruled out by the scope cannot be judged', async () => {
  await open('BJ-02');
  expect(screen.getByTestId('scope-na-notice').textContent).toContain('未提供远程升级');
  expect(screen.getByTestId('verdict-save')).toHaveProperty('disabled', true);
  expect(screen.getByTestId('detail-applicability').textContent).toContain('否');
});

test('adding evidence picks files for this requirement and says how many were added', async () => {
  mocks.evidenceAddPick.mockResolvedValue({
    added: [
      { id: 5, name: 'a.pdf', sha256: 'x', sm3: 'y', size: 1, deduplicated: false },
      { id: 6, name: 'b.pdf', sha256: 'x', sm3: 'y', size: 1, deduplicated: false },
    ],
    failed: [],
    cancelled: false,
  });
  const { state } = await open('GB1-03');
  fireEvent.click(screen.getByTestId('req-add-evidence'));
  await waitFor(() => expect(mocks.evidenceAddPick).toHaveBeenCalledWith('GB1-03', false));
  expect((await screen.findByTestId('add-result')).textContent).toContain('已添加 2 个文件');
  await waitFor(() => expect(state.refresh).toHaveBeenCalled());
});

test('linked evidence shows a short hash and can be unlinked', async () => {
  mocks.evidenceUnlink.mockResolvedValue(undefined);
  await open('GB1-01');
  expect(screen.getByTestId('detail-evidence').textContent).toContain('abababababab…');
  fireEvent.click(screen.getByTestId('unlink-1'));
  fireEvent.click(await screen.findByTestId('unlink-ok'));
  await waitFor(() => expect(mocks.evidenceUnlink).toHaveBeenCalledWith(1, 'GB1-01'));
});

test('a new finding from the requirement sends the typed fields', async () => {
  mocks.findingAdd.mockResolvedValue({ ...findings[0], id: 9 });
  const { state } = await open('GB1-03');
  fireEvent.click(screen.getByTestId('req-add-finding'));
  fireEvent.change(await screen.findByTestId('finding-title'), { target: { value: '日志仅留存一个月' } });
  fireEvent.click(within(screen.getByTestId('finding-severity')).getByText('高'));
  fireEvent.change(screen.getByTestId('finding-owner'), { target: { value: '赵六' } });
  fireEvent.change(screen.getByTestId('finding-due'), { target: { value: '2026-13-01' } });
  fireEvent.click(screen.getByTestId('finding-save'));
  expect(await screen.findByTestId('finding-error-due')).toBeTruthy();
  expect(mocks.findingAdd).not.toHaveBeenCalled();
  fireEvent.change(screen.getByTestId('finding-due'), { target: { value: '2026-12-31' } });
  fireEvent.change(screen.getByTestId('finding-note'), { target: { value: '需延长至六个月' } });
  fireEvent.click(screen.getByTestId('finding-save'));
  await waitFor(() =>
    expect(mocks.findingAdd).toHaveBeenCalledWith({
      requirement: 'GB1-03',
      title: '日志仅留存一个月',
      severity: 'high',
      owner: '赵六',
      due: '2026-12-31',
      note: '需延长至六个月',
      description: '',
      threat: '',
      impact: '',
      likelihood: '',
      recommendation: '',
      time_limit: '',
    }),
  );
  await waitFor(() => expect(state.refresh).toHaveBeenCalled());
});

test('errors go to reportError', async () => {
  mocks.verdictSet.mockRejectedValue({ zh: '拒绝', en: 'refused' });
  const { state } = await open('GB1-03');
  await act(async () => {
    fireEvent.click(screen.getByTestId('verdict-conform'));
    fireEvent.click(screen.getByTestId('verdict-save'));
  });
  await waitFor(() => expect(state.reportError).toHaveBeenCalledWith({ zh: '拒绝', en: 'refused' }));
});

test('a long checklist renders only the rows in view; search still finds any row', async () => {
  const base = library.packs[0];
  const reqs = Array.from({ length: 1000 }, (_, i) => ({ ...base.sections[0].requirements[0], id: 'R-' + i }));
  const secs = Array.from({ length: 20 }, (_, j) => ({ ...base.sections[0], id: 'S' + j, requirements: reqs.slice(j * 50, j * 50 + 50) }));
  const big = makeState({
    library: { ...library, packs: [{ ...base, sections: secs }] },
    statuses: reqs.map((r, i) => ({ ...statuses[2], requirement: r.id, title: r.title, section: 'S' + Math.floor(i / 50) })),
    project: { ...project, meta: { ...project.meta, packs: [['GB1', '1']] } },
  });
  mocks.requirementDetail.mockImplementation(async (id: string) => detailOf('GB1-03', { requirement: { ...detailOf('GB1-03').requirement, id } }));
  renderScreen(<Harness initial="R-0" />, big);
  await screen.findByTestId('verdict-editor');
  const n = document.querySelectorAll('[data-req]').length;
  expect(n).toBeGreaterThan(10);
  expect(n).toBeLessThan(100);
  expect(screen.queryByTestId('req-R-977')).toBeNull();
  fireEvent.change(screen.getByTestId('req-search'), { target: { value: 'R-977' } });
  fireEvent.click(await screen.findByTestId('req-R-977'));
  await waitFor(() => expect(screen.getByTestId('detail-id').textContent).toBe('R-977'));
});

test('shortcuts pause while the finding form is open and work again once it is closed', async () => {
  await open('GB1-03');
  fireEvent.click(screen.getByTestId('req-add-finding'));
  await screen.findByTestId('finding-title');
  fireEvent.keyDown(document.body, { key: '3' });
  expect(screen.getByTestId('verdict-nonconform').getAttribute('aria-pressed')).toBe('false');
  fireEvent.keyDown(screen.getByTestId('finding-cancel'), { key: '3' });
  expect(screen.getByTestId('verdict-nonconform').getAttribute('aria-pressed')).toBe('false');
  fireEvent.click(screen.getByTestId('finding-cancel'));
  fireEvent.keyDown(document.body, { key: '3' });
  expect(screen.getByTestId('verdict-nonconform').getAttribute('aria-pressed')).toBe('true');
});

test('observation and the reason for no evidence are saved with the verdict', async () => {
  await open('GB1-03');
  fireEvent.click(screen.getByTestId('verdict-conform'));
  fireEvent.change(screen.getByTestId('verdict-observation'), { target: { value: '  查看了日志服务器配置，留存 180 天 ' } });
  // GB1-03 has no linked evidence: the reason field is offered
  fireEvent.change(screen.getByTestId('verdict-evidence-reason'), { target: { value: '现场观察，未留存书面材料' } });
  fireEvent.click(screen.getByTestId('verdict-save'));
  await waitFor(() =>
    expect(mocks.verdictSet).toHaveBeenCalledWith('GB1-03', 'conform', '', '查看了日志服务器配置，留存 180 天', '现场观察，未留存书面材料'),
  );
});

test('an inference from a tool output links to the evidence, worded by the core', async () => {
  const st = statuses.find((x) => x.requirement === 'BJ-01')!;
  mocks.requirementDetail.mockImplementation(async (id: string) =>
    id === 'BJ-01'
      ? detailOf(id, { status: { ...st, recorded: { ...st.recorded!, inferred_from: 'evidence:12', note: '由扫描结果推断' } } })
      : detailOf(id),
  );
  mocks.evidenceSummary.mockResolvedValue({
    evidence_id: 12,
    revision: 1,
    made_at: '2026-12-01T01:00:00Z',
    summary: {
      kind: 'nmap', format_version: null, tool: 'nmap 7.94', scanned_at: '2026-11-30T08:00:00Z', target: '10.0.0.5',
      components: [], vulnerability_scan: false, vulnerabilities: [], declared_ports: [],
      hosts: [{ address: '10.0.0.5', hostname: null, status: 'up', ports: [{ port: 443, protocol: 'tcp', state: 'open', service: 'https', product: null, version: null }] }],
    },
  });
  await open('BJ-01');
  const link = await screen.findByTestId('inferred-from-evidence');
  await waitFor(() => expect(link.textContent).toBe('证据 #12（工具输出）'));
  expect(screen.queryByTestId('inferred-from')).toBeNull();
  expect(mocks.sourceLabel).toHaveBeenCalledWith('evidence:12');
  fireEvent.click(link);
  await waitFor(() => expect(mocks.evidenceSummary).toHaveBeenCalledWith(12));
  expect((await screen.findByTestId('scan-ports')).textContent).toContain('10.0.0.5:443/tcp https');
  // the requirement list did not move
  expect(screen.getByTestId('detail-id').textContent).toBe('BJ-01');
});
