// Small shared pieces of the checklist, dashboard and findings screens:
// verdict / severity / status tags and a few formatting helpers.
import { Tag } from 'antd';
import type { AnswerValue, FindingStatus, Library, Severity, Status, VerdictCode } from '../../api';
import { FINDING_STATUSES, SEVERITIES, useT, verdictInfo } from '../../i18n';

/** Verdicts that need a written justification (the core refuses them without). */
export const NEEDS_NOTE: VerdictCode[] = ['partial', 'nonconform', 'na'];

export function VerdictDot({ code, size = 10 }: { code: VerdictCode; size?: number }) {
  const { tx } = useT();
  const v = verdictInfo(code);
  return (
    <span
      aria-label={tx(v.label)}
      title={tx(v.label)}
      style={{
        display: 'inline-block',
        flex: 'none',
        width: size,
        height: size,
        borderRadius: '50%',
        background: v.color,
        border: code === 'unassessed' ? '1px solid #8c8c8c' : undefined,
        boxSizing: 'border-box',
      }}
    />
  );
}

export function VerdictTag({ code, testid }: { code: VerdictCode; testid?: string }) {
  const { tx } = useT();
  const v = verdictInfo(code);
  return (
    <Tag color={code === 'unassessed' ? 'default' : v.color} data-testid={testid} style={{ marginInlineEnd: 0 }}>
      {tx(v.label)}
    </Tag>
  );
}

export function SeverityTag({ code }: { code: Severity }) {
  const { tx } = useT();
  const s = SEVERITIES.find((x) => x.code === code) ?? SEVERITIES[1];
  return <Tag color={s.color}>{tx(s.label)}</Tag>;
}

export function FindingStatusTag({ code }: { code: FindingStatus }) {
  const { tx } = useT();
  const s = FINDING_STATUSES.find((x) => x.code === code) ?? FINDING_STATUSES[0];
  return <Tag color={s.color}>{tx(s.label)}</Tag>;
}

/** Inferred from a mapped requirement and not yet confirmed by a person. */
export function isInferredPending(s: Status): boolean {
  return !!(s.recorded?.inferred_from && !s.recorded.confirmed);
}

/** Kept over a pack upgrade and waiting to be judged again (the core's `rejudge`). */
export function isRejudgePending(s: Status): boolean {
  return !!(s.recorded?.rejudge && !s.recorded.confirmed);
}

/** Counted as done in the tree: a verdict a person gave or confirmed, or 不适用 by scope. */
export function isDone(s: Status): boolean {
  return s.verdict !== 'unassessed' && !isInferredPending(s) && !isRejudgePending(s);
}

/** Today as YYYY-MM-DD in local time. */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A valid calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** An RFC 3339 time shown as "YYYY-MM-DD HH:MM" (the core's times are already local or UTC text). */
let displayZone: string | null = null;

/** The zone times are shown in (the open project's, else none: times are shown as written). */
export function setDisplayZone(zone: string | null | undefined) {
  displayZone = zone || null;
}

/** `2026-12-06 09:30 (UTC+08:00)`: an instant in `zone` with its offset then. */
export function zonedTime(d: Date, zone: string): string | null {
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'longOffset',
      })
        .formatToParts(d)
        .map((p) => [p.type, p.value]),
    );
    const off = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, 'UTC');
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${off === 'UTC' ? 'UTC+00:00' : off})`;
  } catch {
    return null;
  }
}

/** A stored instant for the screen: in the project's zone with the zone
 * stated when one is known, else as written (never with a trailing Z). */
export function shortTime(s: string | null | undefined, zone: string | null = displayZone): string {
  if (!s) return '';
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return s;
  if (zone && m[3]) {
    const d = new Date(s.trim().replace(' ', 'T'));
    const z = Number.isNaN(d.getTime()) ? null : zonedTime(d, zone);
    if (z) return z;
  }
  return m[3] === 'Z' ? `${m[1]} ${m[2]} (UTC)` : `${m[1]} ${m[2]}`;
}

/** A scope answer in words, with option labels from the library's questions. */
export function useAnswerText(library: Library) {
  const { t, tx } = useT();
  return (question: string, a: AnswerValue | null): string => {
    if (a === null || a === undefined) return t('未回答', 'unanswered');
    if (typeof a === 'boolean') return a ? t('是', 'yes') : t('否', 'no');
    if (typeof a === 'number') return String(a);
    const q = library.questions.find((x) => x.id === question);
    const label = (id: string) => {
      const o = q?.options?.find((x) => x.id === id);
      return o ? tx(o.label) : id;
    };
    if (Array.isArray(a)) return a.length ? a.map(label).join('、') : t('（无）', '(none)');
    return label(a);
  };
}
