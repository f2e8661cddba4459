import { fireEvent, screen, waitFor } from '@testing-library/react';
import { toInput, ScopeModal } from './ScopeModal';
import type { Question } from '../api';
import { makeState, renderScreen } from '../screens/workspace/testFixture';

const mocks = vi.hoisted(() => ({ scopeSet: vi.fn(), scopeRecords: vi.fn() }));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: mocks }));

const q = (kind: Question['kind']): Question => ({ id: 'x', kind, label: { zh: 'x', en: 'x' } });

test('stored answers come back as the inputs show them', () => {
  expect(toInput(q('bool'), true)).toBe('yes');
  expect(toInput(q('bool'), false)).toBe('no');
  expect(toInput(q('multi'), ['OEM', 'PLT'])).toEqual(['OEM', 'PLT']);
  expect(toInput(q('int'), 3)).toBe(3);
  expect(toInput(q('choice'), 'BJ')).toBe('BJ');
  expect(toInput(q('bool'), undefined)).toBeNull();
});

test('shows who answered on what basis, and sends the basis with changed answers', async () => {
  mocks.scopeRecords.mockResolvedValue([
    { question: 'has_ota', answered_by: '张工', answered_at: '2026-12-01 09:30 (UTC+08:00)', basis: '访谈安全负责人' },
  ]);
  mocks.scopeSet.mockResolvedValue({});
  const state = makeState();
  const onClose = vi.fn();
  renderScreen(<ScopeModal open onClose={onClose} />, state);
  const rec = await screen.findByTestId('scope-record-has_ota');
  expect(rec.textContent).toBe('张工 · 2026-12-01 09:30 (UTC+08:00) · 依据：访谈安全负责人');
  fireEvent.click(screen.getByTestId('q-has_ota-yes'));
  fireEvent.change(screen.getByTestId('scope-basis'), { target: { value: ' 查阅 OTA 管理制度 V2 ' } });
  fireEvent.click(screen.getByTestId('scope-save'));
  await waitFor(() => expect(mocks.scopeSet).toHaveBeenCalledWith([['has_ota', 'yes']], '查阅 OTA 管理制度 V2'));
  await waitFor(() => expect(onClose).toHaveBeenCalled());
});
