import { fireEvent, screen, waitFor } from '@testing-library/react';
import { makeState, renderScreen, statuses } from '../screens/workspace/testFixture';
import { PackVersions } from './PackVersions';
import type { Status, UpgradeOutcome } from '../api';

const mocks = vi.hoisted(() => ({ packVersions: vi.fn(), packUpgrade: vi.fn() }));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: mocks }));

const outcome: UpgradeOutcome = {
  diff: {
    pack: 'GB44495',
    from_version: '2026.1',
    to_version: '2026.2',
    from_sha256: 'a'.repeat(64),
    to_sha256: 'b'.repeat(64),
    added: ['GB44495-6.9', 'GB44495-10'],
    removed: [],
    changed: [{ requirement: 'GB44495-7.4.1', fields: ['text', 'evidence'], label: { zh: '要求内容、证明材料', en: 'text, evidence' } }],
    replaced: [{ requirement: 'GB44495-7.1.1.1', replaces: ['GB44495-7.1.1-01'] }],
    unchanged: 0,
  },
  rejudge: ['GB44495-7.4.1', 'GB44495-7.1.1.1'],
  carried: [['GB44495-7.1.1.1', 'GB44495-7.1.1-01']],
  history: [],
  dry_run: true,
};

beforeEach(() => {
  mocks.packVersions.mockReset();
  mocks.packUpgrade.mockReset();
});

test('nothing is shown while the project matches the library', async () => {
  mocks.packVersions.mockResolvedValue([
    { pack: 'GB1', version: '1', sha256: 'x', library_version: '1', library_sha256: 'x', differs: false },
  ]);
  const { container } = renderScreen(<PackVersions />, makeState());
  await waitFor(() => expect(mocks.packVersions).toHaveBeenCalled());
  expect(container.textContent).toBe('');
});

test('a differing pack is named with both versions; the diff comes from the dry run and the upgrade applies it', async () => {
  mocks.packVersions.mockResolvedValueOnce([
    { pack: 'GB44495', version: '2026.1', sha256: 'a', library_version: '2026.2', library_sha256: 'b', differs: true },
  ]);
  mocks.packVersions.mockResolvedValue([
    { pack: 'GB44495', version: '2026.2', sha256: 'b', library_version: '2026.2', library_sha256: 'b', differs: false },
  ]);
  mocks.packUpgrade.mockResolvedValue(outcome);
  const state = makeState();
  renderScreen(<PackVersions />, state);
  const alert = await screen.findByTestId('pack-differs-GB44495');
  expect(alert.textContent).toContain('2026.2');
  expect(alert.textContent).toContain('2026.1');
  fireEvent.click(screen.getByTestId('pack-diff-GB44495'));
  await waitFor(() => expect(mocks.packUpgrade).toHaveBeenCalledWith('GB44495', true));
  const diff = await screen.findByTestId('upgrade-diff');
  expect(screen.getByTestId('diff-added').textContent).toContain('GB44495-10');
  expect(screen.getByTestId('diff-changed').textContent).toContain('要求内容、证明材料');
  expect(screen.getByTestId('diff-replaced').textContent).toContain('GB44495-7.1.1-01');
  expect(screen.getByTestId('diff-rejudge').textContent).toContain('GB44495-7.4.1');
  expect(diff).toBeTruthy();
  fireEvent.click(screen.getByTestId('pack-upgrade-apply'));
  await waitFor(() => expect(mocks.packUpgrade).toHaveBeenCalledWith('GB44495', false));
  await waitFor(() => expect(state.refresh).toHaveBeenCalled());
  await waitFor(() => expect(screen.queryByTestId('pack-differs-GB44495')).toBeNull());
});

test('verdicts to re-judge are counted', async () => {
  mocks.packVersions.mockResolvedValue([]);
  const marked: Status[] = statuses.map((s, i) =>
    i === 0
      ? { ...s, verdict: 'conform', recorded: { verdict: 'conform', note: '', assessor: 'x', at: '2026-12-06T00:00:00Z', inferred_from: null, confirmed: false, rejudge: { zh: '检查单升级', en: 'pack upgraded' } } }
      : s,
  );
  renderScreen(<PackVersions />, makeState({ statuses: marked }));
  expect((await screen.findByTestId('rejudge-count')).textContent).toContain('1 项结论待重新判定');
});

test('an approved project cannot be upgraded from the dialog', async () => {
  mocks.packVersions.mockResolvedValue([
    { pack: 'GB44495', version: '2026.1', sha256: 'a', library_version: '2026.2', library_sha256: 'b', differs: true },
  ]);
  mocks.packUpgrade.mockResolvedValue(outcome);
  const base = makeState();
  const approved = makeState({ project: { ...base.project, meta: { ...base.project.meta, state: 'approved' } } });
  renderScreen(<PackVersions />, approved);
  fireEvent.click(await screen.findByTestId('pack-diff-GB44495'));
  await screen.findByTestId('upgrade-diff');
  expect((screen.getByTestId('pack-upgrade-apply') as HTMLButtonElement).disabled).toBe(true);
});
