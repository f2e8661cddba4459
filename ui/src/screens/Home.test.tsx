import { rawAnswer, questionsFor } from './Home';
import type { Question } from '../api';

const multi: Question = { id: 'region', kind: 'multi', label: { zh: '地区', en: 'Region' }, options: [{ id: 'BJ', label: { zh: '北京', en: 'Beijing' } }] };
const bool: Question = { id: 'has_ota', kind: 'bool', label: { zh: 'OTA', en: 'OTA' } };
const int: Question = { id: 'level', kind: 'int', label: { zh: '等级', en: 'Level' }, min: 1, max: 5 };

test('answers become the strings the core parses; empty means unanswered', () => {
  expect(rawAnswer(multi, ['BJ', 'SH'])).toBe('BJ,SH');
  expect(rawAnswer(multi, [])).toBeNull();
  expect(rawAnswer(bool, 'no')).toBe('no');
  expect(rawAnswer(bool, null)).toBeNull();
  expect(rawAnswer(int, 3.7)).toBe('3');
  expect(rawAnswer(int, undefined)).toBeNull();
});

test('only the questions of the chosen packs are asked, once each, in library order', () => {
  const qs = questionsFor([multi, bool, int], [['has_ota', 'region'], ['region']]);
  expect(qs.map((q) => q.id)).toEqual(['region', 'has_ota']);
});
