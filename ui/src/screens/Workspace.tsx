// 检查清单: the requirement tree on the left, the selected requirement with
// its verdict editor on the right. Built for judging fast from the keyboard:
// 1–4 pick a verdict, Ctrl+Enter saves, J/K move, / searches.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Empty, Modal, Spin, type InputRef } from 'antd';
import { api, onDrop, type AddResult, type Finding, type RequirementDetail, type TeamView, type VerdictCode } from '../api';
import { AssignBar, PreviousVerdictNote, loadTeam } from './Team';
import { VERDICTS, useT } from '../i18n';
import { isFrozen, useProject } from '../store';
import { ReqList, buildTree, matchesFilter, matchesSearch, type FilterKey } from './workspace/ReqList';
import { Detail } from './workspace/Detail';
import { VerdictEditor, type Draft, type NoteRef } from './workspace/VerdictEditor';
import { EvidenceSummaryModal } from '../components/ScanSummary';
import { FindingEditor } from './workspace/FindingEditor';
import { NEEDS_NOTE } from './workspace/bits';

/** Whether a key press happens while typing (shortcuts other than Ctrl+Enter are then ignored). */
function typingIn(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['radio', 'checkbox', 'button', 'submit', 'reset'].includes(type);
  }
  return false;
}

function draftOf(d: RequirementDetail): Draft {
  const rec = d.status.recorded;
  const inferred = !!(rec?.inferred_from && !rec.confirmed);
  return {
    id: d.requirement.id,
    verdict: rec ? rec.verdict : d.status.verdict === 'na' ? 'na' : 'unassessed',
    // An inferred verdict's note is the core's provenance text, not a justification.
    note: rec && !inferred ? rec.note : '',
    observation: rec?.observation ?? '',
    evidence_reason: rec?.evidence_reason ?? '',
    dirty: false,
  };
}

export function Workspace({ focus, onFocus }: { focus: string | null; onFocus: (id: string | null) => void }) {
  const { library, project, statuses, refresh, reportError } = useProject();
  const { t, tx } = useT();
  const { message, modal } = AntApp.useApp();
  const frozen = isFrozen(project);

  const [filter, setFilter] = useState<FilterKey>('all');
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string | null>(focus);
  const [detail, setDetail] = useState<RequirementDetail | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [shownEvidence, setShownEvidence] = useState<number | null>(null);
  const [ruleError, setRuleError] = useState(false);
  const [busy, setBusy] = useState(false);
  const [team, setTeam] = useState<TeamView | null>(null);
  const [mine, setMine] = useState(false);
  const [findingForm, setFindingForm] = useState<{ initial: Finding | null } | null>(null);
  const searchRef = useRef<InputRef>(null);
  const noteRef = useRef<NoteRef>(null);

  const tree = useMemo(() => buildTree(library, project.meta.packs, statuses), [library, project.meta.packs, statuses]);
  const ordered = useMemo(() => tree.flatMap((p) => p.sections.flatMap((s) => s.reqs)), [tree]);
  const orderIndex = useMemo(() => new Map(ordered.map((s, i) => [s.requirement, i])), [ordered]);
  const navIds = useMemo(
    () =>
      ordered
        .filter((s) => matchesFilter(s, filter) && matchesSearch(s, query))
        .filter((s) => !mine || !team || team.assignees[s.requirement] === team.me)
        .map((s) => s.requirement),
    [ordered, filter, query, mine, team],
  );

  useEffect(() => {
    let live = true;
    void loadTeam().then((t) => live && setTeam(t));
    return () => {
      live = false;
    };
  }, [project.meta.revision, statuses]);

  const selectedIds = useMemo(() => {
    for (const p of tree) for (const s of p.sections) if (s.reqs.some((r) => r.requirement === selected)) return { requirement: selected as string, section: s.id, pack: p.id };
    return null;
  }, [tree, selected]);
  const visible = useMemo(() => new Set(navIds), [navIds]);

  // Follow the focus given from elsewhere (dashboard, findings, a mapping).
  useEffect(() => {
    if (focus && focus !== selected) setSelected(focus);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus]);

  // Nothing selected yet: start with the first requirement still to judge.
  useEffect(() => {
    if (selected || ordered.length === 0) return;
    const first = ordered.find((s) => matchesFilter(s, 'unjudged')) ?? ordered[0];
    setSelected(first.requirement);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ordered.length]);

  const select = useCallback(
    (id: string) => {
      setSelected(id);
      onFocus(id);
    },
    [onFocus],
  );

  // Load the detail of the selected requirement (again after each change).
  const reqSeq = useRef(0);
  useEffect(() => {
    if (!selected) {
      setDetail(null);
      return;
    }
    const seq = ++reqSeq.current;
    setLoading(true);
    api
      .requirementDetail(selected)
      .then((d) => {
        if (seq !== reqSeq.current) return;
        setDetail(d);
        setDraft((cur) => (cur && cur.id === d.requirement.id && cur.dirty ? cur : draftOf(d)));
      })
      .catch((e) => {
        if (seq === reqSeq.current) reportError(e);
      })
      .finally(() => {
        if (seq === reqSeq.current) setLoading(false);
      });
  }, [selected, tick, reportError]);

  useEffect(() => setRuleError(false), [selected]);

  const reload = () => setTick((n) => n + 1);
  const current = detail && detail.requirement.id === selected ? detail : null;
  const scopeNa = current?.status.applicability.status === 'not_applicable';
  const canJudge = !!current && !!draft && draft.id === current.requirement.id && !frozen && !scopeNa;

  const focusNote = () => setTimeout(() => noteRef.current?.focus(), 0);

  const pickVerdict = (code: VerdictCode) => {
    if (!canJudge || !draft) return;
    setDraft({ ...draft, verdict: code, dirty: true });
    setRuleError(false);
    if (NEEDS_NOTE.includes(code)) focusNote();
  };

  const save = async () => {
    if (!canJudge || !draft || !current || busy) return;
    const note = draft.note.trim();
    if (NEEDS_NOTE.includes(draft.verdict) && !note) {
      setRuleError(true);
      focusNote();
      return;
    }
    setRuleError(false);
    setBusy(true);
    try {
      await api.verdictSet(current.requirement.id, draft.verdict, note, draft.observation.trim(), draft.evidence_reason.trim());
      setDraft({ ...draft, note, observation: draft.observation.trim(), evidence_reason: draft.evidence_reason.trim(), dirty: false });
      message.success(t(`已保存 ${current.requirement.id} 的结论`, `Verdict of ${current.requirement.id} saved`));
      await refresh();
      reload();
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!current || frozen || busy) return;
    setBusy(true);
    try {
      await api.verdictConfirm(current.requirement.id);
      setDraft(null);
      message.success(t('已确认结论', 'Verdict confirmed'));
      await refresh();
      reload();
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };

  const showAdded = (r: AddResult) => {
    if (r.cancelled && r.added.length === 0) return;
    const dedup = r.added.filter((a) => a.deduplicated).length;
    const text =
      t(`已添加 ${r.added.length} 个文件`, `${r.added.length} file(s) added`) +
      (dedup ? t(`（其中 ${dedup} 个与已有证据相同）`, ` (${dedup} already in the vault)`) : '') +
      (r.failed.length ? t(`，${r.failed.length} 个失败`, `, ${r.failed.length} failed`) : '');
    if (r.failed.length) {
      modal.warning({
        title: text,
        width: 560,
        content: (
          <ul style={{ paddingInlineStart: 18, maxHeight: 300, overflow: 'auto' }} data-testid="add-failed">
            {r.failed.map((f, i) => (
              <li key={i}>
                <span className="mono">{f.path}</span>：{tx(f.error)}
              </li>
            ))}
          </ul>
        ),
      });
    } else {
      message.success(<span data-testid="add-result">{text}</span>);
    }
  };

  const addEvidence = async () => {
    if (!current || frozen || busy) return;
    setBusy(true);
    try {
      const r = await api.evidenceAddPick(current.requirement.id, false);
      showAdded(r);
      if (r.added.length) {
        await refresh();
        reload();
      }
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };

  const unlink = async (evidence: number) => {
    if (!current || frozen || busy) return;
    setBusy(true);
    try {
      await api.evidenceUnlink(evidence, current.requirement.id);
      message.success(t('已取消关联', 'Unlinked'));
      await refresh();
      reload();
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };

  // Files dropped on the window while a requirement is open become its evidence.
  const dropRef = useRef<(names: string[]) => void>(() => undefined);
  dropRef.current = (names: string[]) => {
    if (!current || frozen || names.length === 0) return;
    const id = current.requirement.id;
    modal.confirm({
      title: t(`将 ${names.length} 个文件添加为 ${id} 的证据？`, `Add ${names.length} file(s) as evidence of ${id}?`),
      content: <div style={{ maxHeight: 200, overflow: 'auto', fontSize: 12 }}>{names.join('\n')}</div>,
      onOk: async () => {
        try {
          const r = await api.evidenceAddDropped(id);
          showAdded(r);
          await refresh();
          reload();
        } catch (e) {
          reportError(e);
        }
      },
    });
  };
  useEffect(() => {
    let off: (() => void) | undefined;
    let gone = false;
    onDrop((names) => dropRef.current(names))
      .then((u) => (gone ? u() : (off = u)))
      .catch(() => undefined);
    return () => {
      gone = true;
      if (off) off();
    };
  }, []);

  const move = (dir: 1 | -1) => {
    if (navIds.length === 0) return;
    const cur = selected ? navIds.indexOf(selected) : -1;
    let next: string | undefined;
    if (cur >= 0) next = navIds[Math.max(0, Math.min(navIds.length - 1, cur + dir))];
    else if (selected && orderIndex.has(selected)) {
      // The current one left the filtered list (e.g. just judged): go to its neighbour in order.
      const at = orderIndex.get(selected)!;
      next =
        dir === 1
          ? navIds.find((id) => (orderIndex.get(id) ?? 0) > at) ?? navIds[navIds.length - 1]
          : [...navIds].reverse().find((id) => (orderIndex.get(id) ?? 0) < at) ?? navIds[0];
    } else next = navIds[0];
    if (next && next !== selected) select(next);
  };

  // Keyboard shortcuts; the handler is refreshed every render, the listener bound once.
  const keyRef = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keyRef.current = (e: KeyboardEvent) => {
    if (findingForm || e.defaultPrevented) return;
    // Keys pressed inside a dialog or popup belong to it.
    if (e.target instanceof Element && e.target.closest('.ant-modal-wrap, .ant-modal, .ant-drawer, .ant-popover')) return;
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      void save();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    const v = VERDICTS.find((x) => x.key === e.key);
    if (v) {
      e.preventDefault();
      pickVerdict(v.code);
      return;
    }
    if (e.key === 'j' || e.key === 'ArrowDown') {
      e.preventDefault();
      move(1);
    } else if (e.key === 'k' || e.key === 'ArrowUp') {
      e.preventDefault();
      move(-1);
    } else if (e.key === '/') {
      e.preventDefault();
      searchRef.current?.focus();
    }
  };
  useEffect(() => {
    const h = (e: KeyboardEvent) => keyRef.current(e);
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, []);

  const known = useCallback((id: string) => orderIndex.has(id), [orderIndex]);
  const jump = (id: string) => {
    if (!orderIndex.has(id)) return;
    if (!visible.has(id)) {
      setFilter('all');
      setQuery('');
    }
    select(id);
  };

  const defaultSeverity = current?.status.verdict === 'nonconform' ? 'high' : 'medium';

  return (
    <div
      style={{ display: 'flex', height: 'calc(100vh - 80px)', minHeight: 480, background: '#fff', border: '1px solid #f0f0f0', borderRadius: 6, overflow: 'hidden' }}
      data-testid="workspace"
    >
      <div style={{ width: 380, flex: 'none', borderRight: '1px solid #f0f0f0', minHeight: 0, display: 'flex', flexDirection: 'column' }}>
        <AssignBar team={team} onChange={setTeam} ids={selectedIds} mine={mine} setMine={setMine} frozen={frozen} />
        <div style={{ flex: 1, minHeight: 0 }}>
        <ReqList
          tree={tree}
          selected={selected}
          onSelect={select}
          filter={filter}
          setFilter={setFilter}
          query={query}
          setQuery={setQuery}
          visible={visible}
          total={ordered.length}
          searchRef={searchRef}
        />
        </div>
      </div>
      <div style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', minHeight: 0 }}>
        {current && draft && draft.id === current.requirement.id ? (
          <>
            <div style={{ flex: 1, overflowY: 'auto', minHeight: 0, position: 'relative' }}>
              {loading && <Spin size="small" style={{ position: 'absolute', right: 12, top: 12 }} />}
              <PreviousVerdictNote id={current.requirement.id} />
              <Detail
                detail={current}
                library={library}
                busy={busy}
                frozen={frozen}
                known={known}
                onUnlink={unlink}
                onAddEvidence={addEvidence}
                onAddFinding={() => setFindingForm({ initial: null })}
                onEditFinding={(f) => setFindingForm({ initial: f })}
                onJump={jump}
              />
            </div>
            <VerdictEditor
              detail={current}
              draft={draft}
              setDraft={(d) => {
                setDraft(d);
                setRuleError(false);
              }}
              ruleError={ruleError}
              busy={busy}
              frozen={frozen}
              onSave={save}
              onConfirm={confirm}
              onJump={jump}
              onEvidence={setShownEvidence}
              noteRef={noteRef}
            />
          </>
        ) : (
          <div style={{ flex: 1, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
            {loading ? <Spin /> : <Empty description={t('在左侧选择一条要求', 'Select a requirement on the left')} />}
          </div>
        )}
      </div>
      <Modal
        open={!!findingForm && !!current}
        title={
          findingForm?.initial
            ? t(`整改项 #${findingForm.initial.id}`, `Finding #${findingForm.initial.id}`)
            : t(`新建整改项：${current?.requirement.id ?? ''}`, `New finding: ${current?.requirement.id ?? ''}`)
        }
        footer={null}
        destroyOnHidden
        onCancel={() => setFindingForm(null)}
        width={560}
      >
        {findingForm && current && (
          <FindingEditor
            initial={findingForm.initial}
            requirement={findingForm.initial ? undefined : current.requirement.id}
            statuses={statuses}
            defaultSeverity={defaultSeverity}
            showStatus={!!findingForm.initial}
            disabled={frozen}
            onCancel={() => setFindingForm(null)}
            onSaved={async (f) => {
              setFindingForm(null);
              message.success(t(`已保存整改项 #${f.id}`, `Finding #${f.id} saved`));
              await refresh();
              reload();
            }}
          />
        )}
      </Modal>
      <EvidenceSummaryModal id={shownEvidence} onClose={() => setShownEvidence(null)} />
    </div>
  );
}
