import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { makeState, project, renderScreen } from './workspace/testFixture';
import { AssignBar, Team } from './Team';
import type { MergeReport, TeamView } from '../api';

const mocks = vi.hoisted(() => ({
  teamView: vi.fn(),
  assignSet: vi.fn(),
  assignClear: vi.fn(),
  bundleExport: vi.fn(),
  bundleMergePick: vi.fn(),
  bundleMerge: vi.fn(),
  projectClonePick: vi.fn(),
}));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: mocks }));

const team: TeamView = {
  assignments: [{ pattern: 'GB1', assignee: '李工', set_by: '张工', set_at: '2026-12-01T08:00:00Z' }],
  assignees: { 'GB1-01': '李工', 'GB1-02': '李工', 'GB1-03': '李工', 'GB1-04': '李工' },
  progress: [
    { assessor: '', assigned: 3, done: 1 },
    { assessor: '李工', assigned: 4, done: 3 },
  ],
  me: '张工',
};

function report(over: Partial<MergeReport> = {}): MergeReport {
  return {
    dry_run: true,
    unchanged: false,
    verdicts_taken: ['BJ-01'],
    scope_taken: [],
    conflicts: [
      {
        kind: 'verdict',
        item: 'GB1-02',
        ours: { value: 'conform', note: '制度齐全', by: '张工', at: '2026-12-02T09:00:00Z' },
        theirs: { value: 'nonconform', note: '缺供应商条款', by: '李工', at: '2026-12-03T10:00:00Z' },
        resolution: null,
      },
      {
        kind: 'verdict',
        item: 'GB1-03',
        ours: { value: 'partial', note: '只留存三个月', by: '张工', at: '2026-12-02T09:30:00Z' },
        theirs: { value: 'conform', note: '已留存六个月', by: '李工', at: '2026-12-03T11:00:00Z' },
        resolution: null,
      },
    ],
    findings_added: ['f-1'],
    findings_updated: [],
    events_added: 0,
    assignments_taken: [],
    info_taken: [],
    evidence: { added: 2, matched_by_hash: 1, revisions_added: 0, links_added: 3, files_to_store: 2, skipped_no_file: [] },
    journal_head: 'ab'.repeat(32),
    journal_entries: 7,
    journal_already_imported: false,
    ...over,
  };
}

beforeEach(() => {
  for (const m of Object.values(mocks)) m.mockReset();
  mocks.teamView.mockResolvedValue(team);
});

test('shows progress per assessor and assigns a pack to an assessor', async () => {
  const state = makeState();
  renderScreen(<Team onOpened={vi.fn()} />, state);
  const prog = await screen.findByTestId('assessor-progress');
  expect(within(prog).getByTestId('assessor-李工').textContent).toContain('3 / 4');
  expect(within(prog).getByTestId('assessor--').textContent).toContain('未分配');
  mocks.assignSet.mockResolvedValue({ ...team, assignments: [...team.assignments, { pattern: 'BJ', assignee: '王工', set_by: '张工', set_at: 'x' }] });
  const panel = screen.getByTestId('assign-panel');
  fireEvent.mouseDown(within(panel).getByTestId('assign-patterns').querySelector('.ant-select-selector') ?? within(panel).getByTestId('assign-patterns'));
  fireEvent.click(await screen.findByTitle(/^BJ /));
  fireEvent.change(within(panel).getByTestId('assign-name').querySelector('input')!, { target: { value: '王工' } });
  fireEvent.click(within(panel).getByTestId('assign-set'));
  await waitFor(() => expect(mocks.assignSet).toHaveBeenCalledWith('王工', ['BJ']));
  expect(await within(panel).findByTestId('assign-clear-BJ')).toBeTruthy();
});

test('merge: dry run lists the conflicts, the choice per row is sent, the result is shown', async () => {
  const state = makeState();
  renderScreen(<Team onOpened={vi.fn()} />, state);
  mocks.bundleMergePick.mockResolvedValue('李工.iovbundle');
  mocks.bundleMerge.mockResolvedValueOnce(report());
  fireEvent.click(await screen.findByTestId('merge-pick'));
  expect((await screen.findByTestId('merge-file')).textContent).toBe('李工.iovbundle');
  fireEvent.change(screen.getByTestId('merge-password'), { target: { value: 'pw' } });
  fireEvent.click(screen.getByTestId('merge-check'));
  const table = await screen.findByTestId('conflicts');
  expect(mocks.bundleMerge).toHaveBeenCalledWith({ password: 'pw', take: null, per_item: {}, dry_run: true });
  // Both sides: verdict, note, assessor, time.
  const ours = within(table).getByTestId('conflict-GB1-02-ours').textContent!;
  const theirs = within(table).getByTestId('conflict-GB1-02-theirs').textContent!;
  expect(ours).toContain('符合');
  expect(ours).toContain('制度齐全');
  expect(ours).toContain('张工');
  expect(theirs).toContain('不符合');
  expect(theirs).toContain('李工');
  expect(theirs).toContain('2026-12-03 10:00 (UTC)');
  expect(theirs).not.toContain('T10:00:00Z');
  expect(screen.getByTestId('merge-plan').textContent).toContain('冲突 2 项');
  // Not every conflict chosen: merge is not possible.
  const apply = screen.getByTestId('merge-apply') as HTMLButtonElement;
  expect(apply.disabled).toBe(true);
  fireEvent.click(screen.getByTestId('take-all-ours'));
  fireEvent.click(screen.getByTestId('choose-GB1-02-theirs'));
  expect(apply.disabled).toBe(false);
  mocks.bundleMerge.mockResolvedValueOnce(
    report({
      dry_run: false,
      conflicts: report().conflicts.map((c) => ({ ...c, resolution: c.item === 'GB1-02' ? 'theirs' : 'ours' })),
    }),
  );
  fireEvent.click(apply);
  const result = await screen.findByTestId('merge-result');
  expect(mocks.bundleMerge).toHaveBeenLastCalledWith({ password: 'pw', take: null, per_item: { 'GB1-02': 'theirs', 'GB1-03': 'ours' }, dry_run: false });
  expect(result.textContent).toContain('GB1-02 → 对方');
  expect(result.textContent).toContain('GB1-03 → 我方');
  expect(result.textContent).toContain('BJ-01');
  expect(result.textContent).toContain('bundle.merge');
  expect(state.refresh).toHaveBeenCalled();
});

test('a refusal from the core (wrong password) is shown in the chosen language', async () => {
  for (const lang of ['zh', 'en'] as const) {
    mocks.bundleMergePick.mockResolvedValue('x.iovbundle');
    mocks.bundleMerge.mockRejectedValue({ zh: '密码错误或数据包已被篡改：x.iovbundle', en: 'wrong password or tampered bundle: x.iovbundle' });
    const { unmount } = renderScreen(<Team onOpened={vi.fn()} />, makeState(), lang);
    fireEvent.click(await screen.findByTestId('merge-pick'));
    await screen.findByTestId('merge-file');
    fireEvent.change(screen.getByTestId('merge-password'), { target: { value: 'bad' } });
    fireEvent.click(screen.getByTestId('merge-check'));
    const err = await screen.findByTestId('merge-error');
    expect(err.textContent).toContain(lang === 'zh' ? '密码错误' : 'wrong password');
    expect(screen.queryByTestId('conflicts')).toBeNull();
    unmount();
  }
});

test('export for a colleague: passwords twice, assessor, SM4, with evidence', async () => {
  renderScreen(<Team onOpened={vi.fn()} />, makeState());
  fireEvent.click(await screen.findByTestId('export-colleague'));
  const dlg = await screen.findByTestId('export-dialog');
  fireEvent.change(within(dlg).getByTestId('export-assignee').querySelector('input') ?? within(dlg).getByTestId('export-assignee'), {
    target: { value: '李工' },
  });
  fireEvent.click(within(within(dlg).getByTestId('export-alg')).getByText('SM4-GCM（国密）'));
  fireEvent.change(within(dlg).getByTestId('export-pw'), { target: { value: 'secret' } });
  fireEvent.change(within(dlg).getByTestId('export-pw2'), { target: { value: 'secreX' } });
  expect(dlg.textContent).toContain('两次输入的密码不一致');
  const go = screen.getByTestId('export-go') as HTMLButtonElement;
  expect(go.disabled).toBe(true);
  fireEvent.change(within(dlg).getByTestId('export-pw2'), { target: { value: 'secret' } });
  expect(go.disabled).toBe(false);
  mocks.bundleExport.mockResolvedValue({
    path: '/tmp/p-李工.iovbundle',
    size: 1234,
    manifest: { part: { assignee: '李工', requirements: ['GB1-01', 'GB1-02'] }, files: [{ name: 'project.db', size: 1, sha256: 'a' }] },
  });
  fireEvent.click(go);
  await waitFor(() =>
    expect(mocks.bundleExport).toHaveBeenCalledWith({ assignee: '李工', requirements: [], with_evidence: true, sm4: true, password: 'secret' }),
  );
  expect((await screen.findByTestId('export-done')).textContent).toContain('/tmp/p-李工.iovbundle');
  // The password fields are emptied once it is written.
  expect((within(dlg).getByTestId('export-pw') as HTMLInputElement).value).toBe('');
});

test('next cycle opens the new project', async () => {
  const onOpened = vi.fn();
  renderScreen(<Team onOpened={onOpened} />, makeState());
  mocks.projectClonePick.mockResolvedValue({ project: { ...project, dir: '/tmp/next.iovaudit' }, report: {}, path: '/tmp/next.iovaudit' });
  fireEvent.click(await screen.findByTestId('clone-evidence'));
  fireEvent.click(screen.getByTestId('next-cycle'));
  await waitFor(() => expect(onOpened).toHaveBeenCalled());
  expect(mocks.projectClonePick).toHaveBeenCalledWith(true);
  expect(onOpened.mock.calls[0][0].dir).toBe('/tmp/next.iovaudit');
});

test('checklist bar: the mine filter and assigning the selected requirement\'s section', async () => {
  const setMine = vi.fn();
  const onChange = vi.fn();
  mocks.assignSet.mockResolvedValue(team);
  renderScreen(
    <AssignBar team={team} onChange={onChange} ids={{ requirement: 'GB1-02', section: 'GB1-S1', pack: 'GB1' }} mine={false} setMine={setMine} frozen={false} />,
    makeState(),
  );
  expect(screen.getByTestId('assigned-to').textContent).toContain('李工');
  fireEvent.click(screen.getByTestId('filter-mine'));
  expect(setMine).toHaveBeenCalledWith(true);
  fireEvent.mouseDown(screen.getByTestId('assign-what').querySelector('.ant-select-selector') ?? screen.getByTestId('assign-what'));
  fireEvent.click(await screen.findByTitle('本章节'));
  await act(async () => {
    fireEvent.click(screen.getByTestId('assign-bar-set'));
  });
  // No name typed: assigned to me (the assessor from Settings).
  expect(mocks.assignSet).toHaveBeenCalledWith('张工', ['GB1-S1']);
  expect(onChange).toHaveBeenCalledWith(team);
});
