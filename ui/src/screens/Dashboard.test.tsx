import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { findings, makeState, renderScreen, scores, tally } from './workspace/testFixture';
import { Dashboard } from './Dashboard';

const mocks = vi.hoisted(() => ({ findings: vi.fn(), packVersions: vi.fn(), packUpgrade: vi.fn(), calendar: vi.fn(), teamView: vi.fn() }));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: mocks }));

beforeEach(() => {
  mocks.teamView.mockReset();
  mocks.findings.mockReset();
  mocks.findings.mockResolvedValue(findings);
  mocks.packVersions.mockReset();
  mocks.packVersions.mockResolvedValue([]);
  mocks.packUpgrade.mockReset();
  mocks.calendar.mockReset();
  mocks.calendar.mockResolvedValue({
    project: 'p', today: '2026-12-06', from: '2026-12-06', to: '2027-12-06', due_soon_days: 30,
    items: [{
      uid: 'SH26-17.1-20270731@iovaudit', date: '2027-07-31', status: 'upcoming', next: true, kind: 'annual',
      pack: 'SH26', doc_number: 'd', requirement: 'SH26-17', clause: '四.7', title: { zh: '备案重要数据目录', en: 'File the catalogue' },
      deadline: 1, provenance: 'text', rule: { zh: '每年7月31日前', en: 'yearly by 07-31' }, condition: 'holds',
    }],
    standing: [], triggers: [], events: [], unmatched_events: [], event_kinds: [],
    status_labels: [{ status: 'upcoming', label: { zh: '未到期', en: 'upcoming' } }],
  });
});

test('the dashboard carries the compliance calendar timeline', async () => {
  renderScreen(<Dashboard />, makeState());
  const item = await screen.findByTestId('calendar-item');
  expect(item.getAttribute('data-requirement')).toBe('SH26-17');
  expect(item.textContent).toContain('未到期');
  expect(mocks.calendar).toHaveBeenCalled();
  await waitFor(() => expect(mocks.findings).toHaveBeenCalled());
});

test('shows the overall score, conclusion and progress from the scores', async () => {
  renderScreen(<Dashboard />, makeState());
  const overall = screen.getByTestId('dashboard-overall');
  expect(within(overall).getByTestId('overall-score').textContent).toBe('62.5');
  expect(within(overall).getByTestId('overall-conclusion').textContent).toBe('不符合');
  expect(overall.textContent).toContain('暂定');
  expect(screen.getByTestId('overall-progress').textContent).toBe('3 / 6');
  expect(screen.getByTestId('overall-inferred').textContent).toContain('1 条推断结论待确认');
  await waitFor(() => expect(mocks.findings).toHaveBeenCalled());
});

test('per pack: score, failed veto requirements (clickable), inferred count, nothing judged', async () => {
  const state = makeState();
  renderScreen(<Dashboard />, state);
  expect(screen.getByTestId('pack-score-GB1').textContent).toBe('62.5');
  fireEvent.click(screen.getByTestId('veto-GB1-04'));
  expect(state.gotoRequirement).toHaveBeenCalledWith('GB1-04');
  const bj = screen.getByTestId('pack-card-BJ');
  expect(bj.textContent).toContain('尚无已评结论');
  expect(within(bj).getByTestId('inferred-BJ').textContent).toContain('1 条');
  await waitFor(() => expect(mocks.findings).toHaveBeenCalled());
});

test('section bars are stacked by verdict and clicking opens the first requirement to judge', async () => {
  const state = makeState();
  renderScreen(<Dashboard />, state);
  const s1 = screen.getByTestId('stack-GB1-S1');
  const parts = Array.from(s1.querySelectorAll('[data-part]')).map((e) => [e.getAttribute('data-part'), Math.round(parseFloat((e as HTMLElement).style.width))]);
  expect(parts).toEqual([
    ['conform', 33],
    ['partial', 33],
    ['unassessed', 33],
  ]);
  const s2 = screen.getByTestId('stack-GB1-S2').querySelectorAll('[data-part]');
  expect(s2).toHaveLength(1);
  expect((s2[0] as HTMLElement).style.width).toBe('100%');
  expect(screen.getByTestId('section-score-GB1-S1').textContent).toBe('83.3');
  expect(screen.getByTestId('section-score-BJ-S1').textContent).toBe('—');
  fireEvent.click(screen.getByTestId('section-bar-GB1-S1'));
  expect(state.gotoRequirement).toHaveBeenCalledWith('GB1-03');
  await waitFor(() => expect(mocks.findings).toHaveBeenCalled());
});

test('open findings are counted by severity', async () => {
  renderScreen(<Dashboard />, makeState());
  // fixture: one open medium, one fixed high
  await waitFor(() => expect(screen.getByTestId('open-medium').textContent).toContain('1'));
  expect(screen.getByTestId('open-high').textContent).toContain('0');
  expect(screen.getByTestId('dashboard-findings').textContent).toContain('已整改 1');
});

test('nothing judged yet', async () => {
  renderScreen(
    <Dashboard />,
    makeState({ scores: { ...scores, overall: tally({ unassessed: 7, applicable: 6 }), conclusion: null, packs: [] } }),
  );
  expect(screen.getByTestId('dashboard-overall').textContent).toContain('尚无已评结论');
  await waitFor(() => expect(mocks.findings).toHaveBeenCalled());
});

test('a failing findings call is reported', async () => {
  mocks.findings.mockRejectedValue({ zh: '数据库错误', en: 'db error' });
  const state = makeState();
  renderScreen(<Dashboard />, state);
  await waitFor(() => expect(state.reportError).toHaveBeenCalledWith({ zh: '数据库错误', en: 'db error' }));
});

test('progress per assessor, when work is assigned', async () => {
  mocks.teamView.mockResolvedValue({
    assignments: [{ pattern: 'GB1', assignee: '李工', set_by: '张工', set_at: 'x' }],
    assignees: {},
    progress: [
      { assessor: '', assigned: 3, done: 2 },
      { assessor: '李工', assigned: 4, done: 1 },
    ],
    me: '张工',
  });
  renderScreen(<Dashboard />, makeState());
  const card = await screen.findByTestId('dashboard-assessors');
  expect(within(card).getByTestId('assessor-李工').textContent).toContain('1 / 4');
  expect(within(card).getByTestId('assessor--').textContent).toContain('2 / 3');
  await waitFor(() => expect(mocks.findings).toHaveBeenCalled());
});

test('no assessor card when nothing is assigned', async () => {
  mocks.teamView.mockResolvedValue({ assignments: [], assignees: {}, progress: [], me: '' });
  renderScreen(<Dashboard />, makeState());
  await waitFor(() => expect(mocks.teamView).toHaveBeenCalled());
  await waitFor(() => expect(mocks.findings).toHaveBeenCalled());
  expect(screen.queryByTestId('dashboard-assessors')).toBeNull();
});
