import { rawAnswer, questionsFor, wizardInfo } from './Home';
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

test('the wizard sends the key project information only when some was given', () => {
  const base = { assessee: ' 测试汽车有限公司 ', creditCode: '', client: '', reportNumber: '', timeZone: null, organisation: '示例测评中心', kind: 'third-party' as const };
  expect(wizardInfo(base)).toBeNull();
  const i = wizardInfo({ ...base, creditCode: '91310000MA1FL8TQ3X ', client: '委托方', reportNumber: 'R-1', timeZone: 'Asia/Shanghai' })!;
  expect(i.assessee).toMatchObject({ name: '测试汽车有限公司', credit_code: '91310000MA1FL8TQ3X' });
  expect(i.client.name).toBe('委托方');
  expect(i.report_number).toBe('R-1');
  expect(i.time_zone).toBe('Asia/Shanghai');
  expect(i.assessor_org.name).toBe('示例测评中心');
  // a self-check names no assessing institution
  expect(wizardInfo({ ...base, kind: 'self-check', reportNumber: 'R-2' })!.assessor_org.name).toBe('');
});
