import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { findings, makeState, project, renderScreen } from './workspace/testFixture';
import { Findings, isOverdue } from './Findings';

const mocks = vi.hoisted(() => ({ findings: vi.fn(), findingAdd: vi.fn(), findingUpdate: vi.fn(), riskInfo: vi.fn() }));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: mocks }));

beforeEach(() => {
  for (const m of Object.values(mocks)) m.mockReset();
  mocks.findings.mockResolvedValue(findings);
  mocks.riskInfo.mockResolvedValue({
    rule: { zh: '风险等级 = 影响 × 可能性（高×高=高）', en: 'risk = impact × likelihood (high×high=high)' },
    labels: { high: { zh: '高', en: 'High' }, medium: { zh: '中', en: 'Medium' }, low: { zh: '低', en: 'Low' } },
  });
});

const rowIds = () =>
  screen
    .queryAllByTestId(/^finding-row-/)
    .map((e) => e.getAttribute('data-testid')!.replace('finding-row-', ''))
    .sort();

test('lists findings with overdue dates in red and requirement links', async () => {
  const state = makeState();
  renderScreen(<Findings />, state);
  await screen.findByTestId('finding-row-1');
  expect(rowIds()).toEqual(['1', '2']);
  const r1 = screen.getByTestId('finding-row-1');
  expect(r1.textContent).toContain('漏洞管理制度缺供应商条款');
  expect(r1.textContent).toContain('中');
  expect(r1.textContent).toContain('待整改');
  // 2020-01-31 is past and the finding is open; finding 2 is due in 2099
  expect(within(r1).getByTestId('overdue-1').style.color).toBe('rgb(207, 19, 34)');
  expect(screen.queryByTestId('overdue-2')).toBeNull();
  expect(screen.getByTestId('findings-summary').textContent).toContain('逾期 1');
  fireEvent.click(within(r1).getByTestId('finding-goto-GB1-02'));
  expect(state.gotoRequirement).toHaveBeenCalledWith('GB1-02');
});

test('filters by status and severity', async () => {
  renderScreen(<Findings />, makeState());
  await screen.findByTestId('finding-row-1');
  fireEvent.click(within(screen.getByTestId('findings-status-filter')).getByText('已整改'));
  expect(rowIds()).toEqual(['2']);
  fireEvent.click(within(screen.getByTestId('findings-status-filter')).getByText('全部状态'));
  fireEvent.click(within(screen.getByTestId('findings-severity-filter')).getByText('中'));
  expect(rowIds()).toEqual(['1']);
  fireEvent.click(within(screen.getByTestId('findings-severity-filter')).getByText('低'));
  expect(rowIds()).toEqual([]);
});

test('a new finding sends the typed fields and reloads', async () => {
  mocks.findingAdd.mockResolvedValue({ ...findings[0], id: 3 });
  const state = makeState();
  renderScreen(<Findings />, state);
  await screen.findByTestId('finding-row-1');
  fireEvent.click(screen.getByTestId('finding-new'));
  fireEvent.change(await screen.findByTestId('finding-title'), { target: { value: '应急预案未演练' } });
  fireEvent.change(screen.getByTestId('finding-requirement'), { target: { value: 'NOPE-1' } });
  fireEvent.click(screen.getByTestId('finding-save'));
  expect((await screen.findByTestId('finding-error-requirement')).textContent).toContain('NOPE-1');
  expect(mocks.findingAdd).not.toHaveBeenCalled();
  fireEvent.change(screen.getByTestId('finding-requirement'), { target: { value: 'bj-03' } });
  expect(screen.getByTestId('finding-req-title').textContent).toBe('应急预案');
  fireEvent.click(within(screen.getByTestId('finding-severity')).getByText('低'));
  fireEvent.change(screen.getByTestId('finding-owner'), { target: { value: '周七' } });
  fireEvent.change(screen.getByTestId('finding-due'), { target: { value: '2026-06-30' } });
  fireEvent.change(screen.getByTestId('finding-note'), { target: { value: '每年演练一次' } });
  fireEvent.click(screen.getByTestId('finding-save'));
  await waitFor(() =>
    expect(mocks.findingAdd).toHaveBeenCalledWith({
      requirement: 'BJ-03',
      title: '应急预案未演练',
      severity: 'low',
      owner: '周七',
      due: '2026-06-30',
      note: '每年演练一次',
      description: '',
      threat: '',
      impact: '',
      likelihood: '',
      recommendation: '',
      time_limit: '',
    }),
  );
  await waitFor(() => expect(mocks.findings).toHaveBeenCalledTimes(2));
  expect(state.refresh).toHaveBeenCalled();
});

test('editing sends only what changed', async () => {
  mocks.findingUpdate.mockResolvedValue({ ...findings[0], status: 'fixed' });
  renderScreen(<Findings />, makeState());
  fireEvent.click(await screen.findByTestId('finding-row-1'));
  expect(((await screen.findByTestId('finding-title')) as HTMLInputElement).value).toBe('漏洞管理制度缺供应商条款');
  fireEvent.click(within(screen.getByTestId('finding-status')).getByText('已整改'));
  fireEvent.change(screen.getByTestId('finding-due'), { target: { value: '2026-09-30' } });
  fireEvent.click(screen.getByTestId('finding-save'));
  await waitFor(() => expect(mocks.findingUpdate).toHaveBeenCalledWith(1, { status: 'fixed', due: '2026-09-30' }));
});

test('a title is required', async () => {
  renderScreen(<Findings />, makeState());
  await screen.findByTestId('finding-row-1');
  fireEvent.click(screen.getByTestId('finding-new'));
  fireEvent.change(await screen.findByTestId('finding-requirement'), { target: { value: 'GB1-01' } });
  fireEvent.click(screen.getByTestId('finding-save'));
  expect(await screen.findByTestId('finding-error-title')).toBeTruthy();
  expect(mocks.findingAdd).not.toHaveBeenCalled();
});

test('an approved project cannot get new findings', async () => {
  renderScreen(<Findings />, makeState({ project: { ...project, meta: { ...project.meta, state: 'approved' } } }));
  await screen.findByTestId('finding-row-1');
  expect(screen.getByTestId('finding-new')).toHaveProperty('disabled', true);
  expect(screen.getByTestId('frozen-notice')).toBeTruthy();
});

test('errors from the core are reported', async () => {
  mocks.findingAdd.mockRejectedValue({ zh: '整改项需要标题', en: 'a finding needs a title' });
  const state = makeState();
  renderScreen(<Findings />, state);
  await screen.findByTestId('finding-row-1');
  fireEvent.click(screen.getByTestId('finding-new'));
  fireEvent.change(await screen.findByTestId('finding-title'), { target: { value: 'x' } });
  fireEvent.change(screen.getByTestId('finding-requirement'), { target: { value: 'GB1-01' } });
  fireEvent.click(screen.getByTestId('finding-save'));
  await waitFor(() => expect(state.reportError).toHaveBeenCalledWith({ zh: '整改项需要标题', en: 'a finding needs a title' }));
});

test('overdue means open and past due', () => {
  expect(isOverdue(findings[0], '2026-01-01')).toBe(true);
  expect(isOverdue({ ...findings[0], status: 'verified' }, '2026-01-01')).toBe(false);
  expect(isOverdue({ ...findings[0], due: null }, '2026-01-01')).toBe(false);
});

test('the analysis of a finding: description, threat, impact × likelihood, recommendation, time limit; the risk label is the core\'s', async () => {
  const analysed = { ...findings[0], impact: 'high' as const, likelihood: 'high' as const, risk: 'high' as const };
  mocks.findings.mockResolvedValue([analysed, findings[1]]);
  mocks.findingUpdate.mockResolvedValue(analysed);
  renderScreen(<Findings />, makeState());
  await screen.findByTestId('finding-row-1');
  fireEvent.click(within(screen.getByTestId('finding-row-1')).getByRole('button'));
  const riskBox = await screen.findByTestId('finding-risk');
  expect(riskBox.textContent).toContain('高');
  await waitFor(() => expect(screen.getByTestId('finding-risk-rule').textContent).toContain('影响 × 可能性'));
  fireEvent.change(screen.getByTestId('finding-description'), { target: { value: '漏洞管理制度未规定供应商通报时限' } });
  fireEvent.change(screen.getByTestId('finding-threat'), { target: { value: '供应商漏洞未及时修复' } });
  fireEvent.click(within(screen.getByTestId('finding-likelihood')).getByText('低'));
  fireEvent.change(screen.getByTestId('finding-recommendation'), { target: { value: '补充供应商条款' } });
  fireEvent.change(screen.getByTestId('finding-time_limit'), { target: { value: '30 日内' } });
  fireEvent.click(screen.getByTestId('finding-save'));
  await waitFor(() =>
    expect(mocks.findingUpdate).toHaveBeenCalledWith(1, {
      description: '漏洞管理制度未规定供应商通报时限',
      threat: '供应商漏洞未及时修复',
      likelihood: 'low',
      recommendation: '补充供应商条款',
      time_limit: '30 日内',
    }),
  );
});
