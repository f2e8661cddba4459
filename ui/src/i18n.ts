// Chinese first, English second: every label in the UI is written as a
// pair and picked by the current language.
import { createContext, useContext } from 'react';
import type { Lang, Text, VerdictCode, Severity, FindingStatus, Obligation } from './api';

export const LangContext = createContext<Lang>('zh');

/** `t('中文', 'English')` picks by the current language. */
export function useT() {
  const lang = useContext(LangContext);
  const t = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const tx = (text: Text | null | undefined) => (text ? (lang === 'en' ? text.en || text.zh : text.zh || text.en) : '');
  return { lang, t, tx };
}

export const VERDICTS: { code: VerdictCode; label: Text; color: string; key: string }[] = [
  { code: 'conform', label: { zh: '符合', en: 'Conformant' }, color: '#389e0d', key: '1' },
  { code: 'partial', label: { zh: '部分符合', en: 'Partially conformant' }, color: '#d48806', key: '2' },
  { code: 'nonconform', label: { zh: '不符合', en: 'Not conformant' }, color: '#cf1322', key: '3' },
  { code: 'na', label: { zh: '不适用', en: 'Not applicable' }, color: '#8c8c8c', key: '4' },
  { code: 'unassessed', label: { zh: '未评估', en: 'Not assessed' }, color: '#bfbfbf', key: '0' },
];

export function verdictInfo(code: VerdictCode) {
  return VERDICTS.find((v) => v.code === code) ?? VERDICTS[4];
}

export const SEVERITIES: { code: Severity; label: Text; color: string }[] = [
  { code: 'high', label: { zh: '高', en: 'High' }, color: 'red' },
  { code: 'medium', label: { zh: '中', en: 'Medium' }, color: 'orange' },
  { code: 'low', label: { zh: '低', en: 'Low' }, color: 'blue' },
];

export const FINDING_STATUSES: { code: FindingStatus; label: Text; color: string }[] = [
  { code: 'open', label: { zh: '待整改', en: 'Open' }, color: 'red' },
  { code: 'fixed', label: { zh: '已整改', en: 'Fixed' }, color: 'gold' },
  { code: 'verified', label: { zh: '已验证', en: 'Verified' }, color: 'green' },
];

export const OBLIGATIONS: Record<Obligation, Text> = {
  mandatory: { zh: '强制', en: 'Mandatory' },
  conditional: { zh: '条件性', en: 'Conditional' },
  encouraged: { zh: '鼓励', en: 'Encouraged' },
  pilot: { zh: '试点', en: 'Pilot' },
};

export const TO_CONFIRM: Text = { zh: '⚠ 待与正式文本核对', en: '⚠ to be confirmed against the official text' };
/** Content read in an unofficial copy of the full text (GB 44495/44496 packs). */
export const FULLTEXT_MARK: Text = {
  zh: 'ⓘ 依据非官方全文，待与正式文本核对',
  en: 'ⓘ from an unofficial full text, to be checked against the official text',
};
/** The mark for a requirement's provenance (the core's `Provenance::mark`). */
export function provenanceMark(p: string): Text | null {
  return p === 'inferred' ? TO_CONFIRM : p === 'fulltext' ? FULLTEXT_MARK : null;
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** Colours of the calendar's due statuses (their words come from the core: `status_labels`). */
export const DUE_STATUS_COLORS: Record<string, string> = {
  overdue: '#cf1322',
  due_soon: '#d48806',
  upcoming: '#165DAA',
  done: '#389e0d',
};

/** Kinds of calendar dates and standing obligations (the core sends codes only). */
export const DEADLINE_KINDS: Record<string, Text> = {
  annual: { zh: '每年', en: 'yearly' },
  recurring: { zh: '周期', en: 'recurring' },
  once: { zh: '一次性', en: 'once' },
  triggered: { zh: '事件触发', en: 'triggered' },
  retention: { zh: '保存期限', en: 'retention' },
  before_event: { zh: '事前', en: 'before an event' },
  immediate: { zh: '立即', en: 'at once' },
};
