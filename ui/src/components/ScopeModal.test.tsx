import { toInput } from './ScopeModal';
import type { Question } from '../api';

const q = (kind: Question['kind']): Question => ({ id: 'x', kind, label: { zh: 'x', en: 'x' } });

test('stored answers come back as the inputs show them', () => {
  expect(toInput(q('bool'), true)).toBe('yes');
  expect(toInput(q('bool'), false)).toBe('no');
  expect(toInput(q('multi'), ['OEM', 'PLT'])).toEqual(['OEM', 'PLT']);
  expect(toInput(q('int'), 3)).toBe(3);
  expect(toInput(q('choice'), 'BJ')).toBe('BJ');
  expect(toInput(q('bool'), undefined)).toBeNull();
});
