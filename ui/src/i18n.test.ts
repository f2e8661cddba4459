import { formatSize, verdictInfo, VERDICTS } from './i18n';

test('sizes read as a person would write them', () => {
  expect(formatSize(0)).toBe('0 B');
  expect(formatSize(1536)).toBe('1.5 KiB');
  expect(formatSize(3 * 1024 * 1024)).toBe('3.0 MiB');
});

test('every verdict has its own shortcut key and colour', () => {
  expect(new Set(VERDICTS.map((v) => v.key)).size).toBe(VERDICTS.length);
  expect(verdictInfo('nonconform').label.zh).toBe('不符合');
});
