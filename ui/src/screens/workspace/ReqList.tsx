// The left pane of the checklist: pack → section → requirement, with a
// filter and a search box. A plain list of divs (no antd Tree): with 2,000
// requirements it stays fast because rows are memoised and cheap.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type Ref } from 'react';
import { Input, Segmented, Typography, type InputRef } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import type { Library, Meta, Status, Text } from '../../api';
import { TO_CONFIRM, provenanceMark, useT } from '../../i18n';
import { VerdictDot, isDone, isInferredPending, isRejudgePending } from './bits';

export type FilterKey = 'all' | 'unjudged' | 'failing' | 'inferred' | 'rejudge' | 'to_confirm';

export interface TreeSection { id: string; clause: string; title: Text; reqs: Status[] }
export interface TreePack { id: string; docNumber: string; title: Text; sections: TreeSection[] }

/** The project's packs (in library order) with their sections and the statuses of their requirements. */
export function buildTree(library: Library, packs: Meta['packs'], statuses: Status[]): TreePack[] {
  const byId = new Map(statuses.map((s) => [s.requirement, s]));
  const out: TreePack[] = [];
  const seen = new Set<string>();
  for (const [pid, version] of packs) {
    if (seen.has(pid)) continue;
    const p = library.packs.find((x) => x.id === pid && x.version === version) ?? library.packs.find((x) => x.id === pid);
    if (!p) continue;
    seen.add(pid);
    out.push({
      id: p.id,
      docNumber: p.doc_number,
      title: p.title,
      sections: p.sections.map((sec) => ({
        id: sec.id,
        clause: sec.clause,
        title: sec.title,
        reqs: sec.requirements.map((r) => byId.get(r.id)).filter((s): s is Status => !!s),
      })),
    });
  }
  // Keep the library's order of packs (national documents first).
  const order = new Map(library.packs.map((p, i) => [p.id, i]));
  out.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return out;
}

export function matchesFilter(s: Status, f: FilterKey): boolean {
  switch (f) {
    case 'all':
      return true;
    case 'unjudged':
      return s.verdict === 'unassessed' && s.applicability.status !== 'not_applicable';
    case 'failing':
      return s.verdict === 'nonconform' || s.verdict === 'partial';
    case 'inferred':
      return isInferredPending(s);
    case 'rejudge':
      return isRejudgePending(s);
    case 'to_confirm':
      return s.to_confirm;
  }
}

export function matchesSearch(s: Status, q: string): boolean {
  const n = q.trim().toLowerCase();
  if (!n) return true;
  return (
    s.requirement.toLowerCase().includes(n) ||
    s.title.zh.toLowerCase().includes(n) ||
    s.title.en.toLowerCase().includes(n) ||
    s.clause.toLowerCase().includes(n)
  );
}

type Item =
  | { kind: 'pack'; key: string; p: TreePack; open: boolean; done: number; total: number }
  | { kind: 'section'; key: string; s: TreeSection; open: boolean; done: number; total: number }
  | { kind: 'req'; key: string; r: Status };

const ROW_H = 28;
const PAD = 4;
/** Above this many rows only those in view are rendered. */
const WINDOW_FROM = 400;
const OVERSCAN = 12;

const row: React.CSSProperties = {
  boxSizing: 'border-box',
  display: 'flex',
  alignItems: 'center',
  gap: 6,
  height: ROW_H,
  padding: '0 8px',
  cursor: 'pointer',
  whiteSpace: 'nowrap',
  overflow: 'hidden',
  fontSize: 13,
  borderRadius: 4,
};
const mark: React.CSSProperties = {
  flex: 'none',
  fontSize: 11,
  lineHeight: '16px',
  padding: '0 4px',
  borderRadius: 3,
  border: '1px solid',
};

const ReqRow = memo(function ReqRow({
  s,
  selected,
  onSelect,
  lang,
}: {
  s: Status;
  selected: boolean;
  onSelect: (id: string) => void;
  lang: 'zh' | 'en';
}) {
  const tx = (x: Text) => (lang === 'en' ? x.en || x.zh : x.zh || x.en);
  const t = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const inferred = isInferredPending(s);
  const rejudge = isRejudgePending(s);
  const na = s.applicability.status === 'not_applicable' ? s.applicability.reason : null;
  const tip = [
    `${s.requirement} ${tx(s.title)}`,
    na ? `${t('不适用', 'Not applicable')}：${tx(na)}` : '',
    s.verdict === 'na' && !na && s.recorded?.note ? `${t('不适用', 'Not applicable')}：${s.recorded.note}` : '',
    inferred ? `${t('推断自', 'Inferred from')} ${s.recorded?.inferred_from}，${t('待确认', 'awaiting confirmation')}` : '',
    s.to_confirm ? tx(provenanceMark(s.provenance ?? 'inferred') ?? TO_CONFIRM) : '',
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <div
      role="treeitem"
      aria-selected={selected}
      data-testid={'req-' + s.requirement}
      data-req={s.requirement}
      title={tip}
      onClick={() => onSelect(s.requirement)}
      style={{ ...row, paddingLeft: 30, background: selected ? '#e6f0fa' : undefined, color: s.verdict === 'na' ? '#8c8c8c' : undefined }}
    >
      <VerdictDot code={s.verdict} />
      <span className="mono" style={{ flex: 'none', color: '#595959', wordBreak: 'normal' }}>
        {s.requirement}
      </span>
      <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>{tx(s.title)}</span>
      {rejudge && (
        <span style={{ ...mark, color: '#531dab', borderColor: '#d3adf7', background: '#f9f0ff' }} data-testid="mark-rejudge">
          {t('重判', 'Re-judge')}
        </span>
      )}
      {inferred && (
        <span style={{ ...mark, color: '#1677ff', borderColor: '#91caff', background: '#e6f4ff' }} data-testid="mark-inferred">
          {t('推断', 'Inferred')}
        </span>
      )}
      {s.veto && (
        <span style={{ ...mark, color: '#cf1322', borderColor: '#ffa39e', background: '#fff1f0' }}>{t('否决', 'Veto')}</span>
      )}
      {s.to_confirm && (
        <span style={{ flex: 'none', color: '#d48806' }} data-testid="mark-to-confirm">
          {s.provenance === 'fulltext' ? 'ⓘ' : '⚠'}
        </span>
      )}
    </div>
  );
});

function Count({ done, total }: { done: number; total: number }) {
  return (
    <span style={{ flex: 'none', fontSize: 12, color: done === total && total > 0 ? '#389e0d' : '#8c8c8c' }}>
      {done}/{total}
    </span>
  );
}

export const ReqList = memo(function ReqList(props: {
  tree: TreePack[];
  selected: string | null;
  onSelect: (id: string) => void;
  filter: FilterKey;
  setFilter: (f: FilterKey) => void;
  query: string;
  setQuery: (q: string) => void;
  visible: Set<string>;
  total: number;
  searchRef: Ref<InputRef>;
}) {
  const { tree, selected, onSelect, filter, setFilter, query, setQuery, visible, total, searchRef } = props;
  const { lang, t, tx } = useT();
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());

  // Where each requirement sits, to expand its path when it is selected.
  const path = useMemo(() => {
    const m = new Map<string, [string, string]>();
    for (const p of tree) for (const s of p.sections) for (const r of s.reqs) m.set(r.requirement, [p.id, s.id]);
    return m;
  }, [tree]);

  // A selected requirement always has its pack and section open.
  useEffect(() => {
    if (!selected) return;
    const at = path.get(selected);
    if (at && (collapsed.has(at[0]) || collapsed.has(at[1]))) {
      setCollapsed((c) => {
        const n = new Set(c);
        n.delete(at[0]);
        n.delete(at[1]);
        return n;
      });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, path]);

  const toggle = useCallback(
    (key: string) =>
      setCollapsed((c) => {
        const n = new Set(c);
        if (n.has(key)) n.delete(key);
        else n.add(key);
        return n;
      }),
    [],
  );

  const searching = query.trim() !== '' || filter !== 'all';
  const items = useMemo(() => {
    const out: Item[] = [];
    for (const p of tree) {
      const all = p.sections.flatMap((s) => s.reqs);
      if (searching && !all.some((r) => visible.has(r.requirement))) continue;
      const pOpen = !collapsed.has(p.id);
      out.push({ kind: 'pack', key: 'p:' + p.id, p, open: pOpen, done: all.filter(isDone).length, total: all.length });
      if (!pOpen) continue;
      for (const s of p.sections) {
        const shown = s.reqs.filter((r) => visible.has(r.requirement));
        if (searching && shown.length === 0) continue;
        const sOpen = !collapsed.has(s.id);
        out.push({ kind: 'section', key: 's:' + p.id + ':' + s.id, s, open: sOpen, done: s.reqs.filter(isDone).length, total: s.reqs.length });
        if (!sOpen) continue;
        for (const r of shown) out.push({ kind: 'req', key: r.requirement, r });
      }
    }
    return out;
  }, [tree, visible, collapsed, searching]);

  // Long lists render only the rows in view (rows have a fixed height).
  const boxRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewH, setViewH] = useState(0);
  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const measure = () => setViewH(el.clientHeight);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const windowed = items.length > WINDOW_FROM;
  let start = 0;
  let end = items.length;
  if (windowed) {
    const h = viewH || 800;
    start = Math.max(0, Math.floor(scrollTop / ROW_H) - OVERSCAN);
    end = Math.min(items.length, Math.ceil((scrollTop + h) / ROW_H) + OVERSCAN);
  }

  // Bring the selected row into view (keyboard moves, a focus from elsewhere).
  useEffect(() => {
    const el = boxRef.current;
    if (!el || !selected) return;
    const idx = items.findIndex((it) => it.kind === 'req' && it.key === selected);
    if (idx < 0) return;
    const top = PAD + idx * ROW_H;
    const h = el.clientHeight;
    if (top < el.scrollTop) el.scrollTop = top - PAD;
    else if (h > 0 && top + ROW_H > el.scrollTop + h) el.scrollTop = top + ROW_H - h + PAD;
    if (windowed) setScrollTop(el.scrollTop);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, items]);

  const renderItem = (it: Item) => {
    if (it.kind === 'req') {
      return <ReqRow key={it.key} s={it.r} selected={it.r.requirement === selected} onSelect={onSelect} lang={lang} />;
    }
    if (it.kind === 'pack') {
      const p = it.p;
      return (
        <div
          key={it.key}
          role="treeitem"
          aria-expanded={it.open}
          data-testid={'pack-' + p.id}
          style={{ ...row, fontWeight: 600, background: '#fafafa' }}
          onClick={() => toggle(p.id)}
          title={`${p.docNumber} ${tx(p.title)}`}
        >
          <span style={{ flex: 'none', width: 12, color: '#8c8c8c' }}>{it.open ? '▾' : '▸'}</span>
          <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>
            {p.id} · {tx(p.title)}
          </span>
          <Count done={it.done} total={it.total} />
        </div>
      );
    }
    const s = it.s;
    return (
      <div
        key={it.key}
        role="treeitem"
        aria-expanded={it.open}
        data-testid={'section-' + s.id}
        style={{ ...row, paddingLeft: 16, color: '#262626' }}
        onClick={() => toggle(s.id)}
        title={`${s.clause} ${tx(s.title)}`}
      >
        <span style={{ flex: 'none', width: 12, color: '#8c8c8c' }}>{it.open ? '▾' : '▸'}</span>
        <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {s.clause} {tx(s.title)}
        </span>
        <Count done={it.done} total={it.total} />
      </div>
    );
  };

  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }}>
      <div style={{ padding: 8, borderBottom: '1px solid #f0f0f0', display: 'flex', flexDirection: 'column', gap: 6 }}>
        <Input
          ref={searchRef}
          allowClear
          size="small"
          prefix={<SearchOutlined style={{ color: '#bfbfbf' }} />}
          placeholder={t('按编号或标题搜索（/）', 'Search id or title (/)')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
          }}
          data-testid="req-search"
        />
        <div>
          {/* Wraps onto a second line when the labels do not fit (no scrollbar over them). */}
          <Segmented<FilterKey>
            size="small"
            className="iov-wrap-segmented"
            data-testid="filter"
            value={filter}
            onChange={(v) => setFilter(v)}
            options={[
              { value: 'all', label: t('全部', 'All') },
              { value: 'unjudged', label: t('未评估', 'Unjudged'), title: t('未评估且适用', 'Not assessed and applicable') },
              { value: 'failing', label: t('不符合', 'Failing'), title: t('不符合或部分符合', 'Not or partially conformant') },
              { value: 'inferred', label: t('推断待确认', 'Inferred'), title: t('由映射推断、尚未确认', 'Inferred from a mapping, not yet confirmed') },
              { value: 'rejudge', label: t('待重新判定', 'To re-judge'), title: t('检查单升级后须重新判定', 'Must be judged again after a checklist upgrade') },
              { value: 'to_confirm', label: t('待核对', 'To check'), title: TO_CONFIRM[lang] },
            ]}
          />
        </div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="list-count">
          {t(`显示 ${visible.size} / ${total} 项`, `${visible.size} of ${total} shown`)}
        </Typography.Text>
      </div>
      <div
        ref={boxRef}
        role="tree"
        onScroll={windowed ? (e) => setScrollTop(e.currentTarget.scrollTop) : undefined}
        style={{ flex: 1, overflowY: 'auto', overflowX: 'hidden', padding: PAD, position: 'relative' }}
        data-testid="requirement-tree"
      >
        {items.length === 0 ? (
          <div style={{ padding: 24, textAlign: 'center', color: '#8c8c8c' }}>{t('没有符合条件的要求', 'No requirement matches')}</div>
        ) : windowed ? (
          <div style={{ height: items.length * ROW_H, position: 'relative' }}>
            <div style={{ position: 'absolute', top: start * ROW_H, left: 0, right: 0 }}>{items.slice(start, end).map(renderItem)}</div>
          </div>
        ) : (
          items.map(renderItem)
        )}
      </div>
    </div>
  );
});
