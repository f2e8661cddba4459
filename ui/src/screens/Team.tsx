// Several assessors, offline (issue 14): who does what (assignment and
// progress per assessor), a bundle for a colleague, merging a colleague's
// bundle back with a conflict screen, and the next cycle. Files are chosen in
// Rust; passwords go to the command and are never kept.
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  AutoComplete,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Empty,
  Input,
  Modal,
  Progress,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { ButtonProps } from 'antd';
import {
  api,
  errorText,
  type AssessorProgress,
  type BundleExported,
  type Library,
  type MergeConflict,
  type MergeReport,
  type PreviousVerdict,
  type ProjectView,
  type Take,
  type TeamView,
  type Text,
  type VerdictCode,
} from '../api';
import { useT, verdictInfo } from '../i18n';
import { isFrozen, useProject } from '../store';
import { shortTime } from './workspace/bits';

/** Patterns the checklist offers: every pack, section and requirement of the project. */
export function patternOptions(library: Library, project: ProjectView, tx: (t: Text) => string) {
  const ids = new Set(project.meta.packs.map(([id]) => id));
  const out: { value: string; label: string }[] = [];
  for (const p of library.packs.filter((p) => ids.has(p.id))) {
    out.push({ value: p.id, label: `${p.id} ${tx(p.title)}` });
    for (const s of p.sections) {
      out.push({ value: s.id, label: `${s.id} ${s.clause} ${tx(s.title)}` });
      for (const r of s.requirements) out.push({ value: r.id, label: `${r.id} ${tx(r.title)}` });
    }
  }
  return out;
}

/** Progress per assessor (the unassigned ones as 未分配). */
export function AssessorProgressList({ progress, me }: { progress: AssessorProgress[]; me?: string }) {
  const { t } = useT();
  if (!progress.length)
    return <Typography.Text type="secondary">{t('尚未分配评估人', 'Nothing is assigned yet')}</Typography.Text>;
  return (
    <div data-testid="assessor-progress">
      {progress.map((a) => (
        <div key={a.assessor} data-testid={`assessor-${a.assessor || '-'}`} style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <span style={{ width: 120 }}>
            {a.assessor || t('未分配', 'Unassigned')}
            {me && a.assessor === me && <Tag style={{ marginLeft: 4 }}>{t('我', 'me')}</Tag>}
          </span>
          <Progress
            style={{ flex: 1 }}
            percent={a.assigned ? Math.round((a.done / a.assigned) * 100) : 0}
            format={() => `${a.done} / ${a.assigned}`}
          />
        </div>
      ))}
    </div>
  );
}

function sideValue(c: MergeConflict, v: string, tx: (t: Text) => string) {
  if (c.kind === 'verdict') return v ? tx(verdictInfo(v as VerdictCode).label) : '—';
  return v;
}

/** The conflict screen: both sides of each conflict, a choice per row or for all. */
export function ConflictTable({
  conflicts,
  choice,
  onChoose,
}: {
  conflicts: MergeConflict[];
  choice: Record<string, Take>;
  onChoose: (c: Record<string, Take>) => void;
}) {
  const { t, tx } = useT();
  const side = (c: MergeConflict, s: 'ours' | 'theirs') => {
    const x = c[s];
    return (
      <div data-testid={`conflict-${c.item}-${s}`}>
        <b>{sideValue(c, x.value, tx)}</b>
        {x.note && <div>{x.note}</div>}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {x.by} · {shortTime(x.at)}
        </Typography.Text>
      </div>
    );
  };
  const all = (take: Take) => onChoose(Object.fromEntries(conflicts.map((c) => [c.item, take])));
  return (
    <div data-testid="conflicts">
      <Space style={{ marginBottom: 8 }}>
        <Button size="small" onClick={() => all('ours')} data-testid="take-all-ours">
          {t('全部保留我方', 'Keep ours for all')}
        </Button>
        <Button size="small" onClick={() => all('theirs')} data-testid="take-all-theirs">
          {t('全部采用对方', 'Take theirs for all')}
        </Button>
      </Space>
      <Table
        size="small"
        pagination={false}
        rowKey={(c) => `${c.kind}:${c.item}`}
        dataSource={conflicts}
        columns={[
          {
            title: t('要求 / 问题', 'Requirement / question'),
            render: (_, c) => (
              <span>
                <Tag>{c.kind === 'verdict' ? t('结论', 'verdict') : t('范围', 'scope')}</Tag>
                {c.item}
              </span>
            ),
          },
          { title: t('我方', 'Ours'), render: (_, c) => side(c, 'ours') },
          { title: t('对方', 'Theirs'), render: (_, c) => side(c, 'theirs') },
          {
            title: t('采用', 'Take'),
            render: (_, c) => (
              <Radio.Group
                value={choice[c.item]}
                onChange={(e) => onChoose({ ...choice, [c.item]: e.target.value as Take })}
                data-testid={`choose-${c.item}`}
              >
                <Radio value="ours" data-testid={`choose-${c.item}-ours`}>
                  {t('我方', 'Ours')}
                </Radio>
                <Radio value="theirs" data-testid={`choose-${c.item}-theirs`}>
                  {t('对方', 'Theirs')}
                </Radio>
              </Radio.Group>
            ),
          },
        ]}
      />
    </div>
  );
}

function MergeResult({ r }: { r: MergeReport }) {
  const { t } = useT();
  if (r.unchanged)
    return <Alert type="info" showIcon data-testid="merge-result" message={t('该数据包已合并过，本次未作任何更改', 'This bundle was merged before; nothing changed')} />;
  return (
    <Descriptions size="small" column={1} bordered data-testid="merge-result" title={t('合并完成', 'Merged')}>
      <Descriptions.Item label={t('采用对方结论', 'Verdicts taken')}>{r.verdicts_taken.join('、') || '—'}</Descriptions.Item>
      <Descriptions.Item label={t('采用对方范围答案', 'Scope answers taken')}>{r.scope_taken.join('、') || '—'}</Descriptions.Item>
      <Descriptions.Item label={t('已解决的冲突', 'Conflicts resolved')}>
        {r.conflicts.map((c) => `${c.item} → ${c.resolution === 'theirs' ? t('对方', 'theirs') : t('我方', 'ours')}`).join('；') || '—'}
      </Descriptions.Item>
      <Descriptions.Item label={t('新增证据', 'Evidence added')}>
        {r.evidence.added}（{t('按哈希匹配', 'matched by hash')} {r.evidence.matched_by_hash}）
      </Descriptions.Item>
      <Descriptions.Item label={t('整改项', 'Findings')}>
        {t('新增', 'added')} {r.findings_added.length} · {t('更新', 'updated')} {r.findings_updated.length}
      </Descriptions.Item>
      <Descriptions.Item label={t('日志', 'Journal')}>
        {t(`收到对方 ${r.journal_entries} 条日志（链头 `, `received ${r.journal_entries} entries (head `)}
        <code>{(r.journal_head ?? '').slice(0, 16)}</code>）{t('；合并记为一条日志 bundle.merge', '; the merge is one journal entry bundle.merge')}
      </Descriptions.Item>
    </Descriptions>
  );
}

function MergePanel({ frozen }: { frozen: boolean }) {
  const { t, tx } = useT();
  const { refresh } = useProject();
  const [file, setFile] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [plan, setPlan] = useState<MergeReport | null>(null);
  const [choice, setChoice] = useState<Record<string, Take>>({});
  const [done, setDone] = useState<MergeReport | null>(null);
  const [error, setError] = useState<Text | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = async () => {
    setError(null);
    try {
      const f = await api.bundleMergePick();
      if (f) {
        setFile(f);
        setPlan(null);
        setDone(null);
        setChoice({});
      }
    } catch (e) {
      setError(errorText(e));
    }
  };
  const run = async (dry: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.bundleMerge({ password, take: null, per_item: dry ? {} : choice, dry_run: dry });
      if (dry) {
        setPlan(r);
        setDone(null);
      } else {
        setDone(r);
        setPlan(null);
        setFile(null);
        setPassword('');
        await refresh();
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const unresolved = plan ? plan.conflicts.filter((c) => !choice[c.item]).length : 0;
  return (
    <Card title={t('合并同事的数据包', "Merge a colleague's bundle")} size="small" data-testid="merge-panel">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Button onClick={pick} disabled={frozen} data-testid="merge-pick">
            {t('选择数据包…', 'Choose a bundle…')}
          </Button>
          {file && <Tag data-testid="merge-file">{file}</Tag>}
          <Input.Password
            style={{ width: 220 }}
            placeholder={t('数据包密码', 'Bundle password')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            disabled={!file}
            data-testid="merge-password"
          />
          <Button onClick={() => run(true)} disabled={!file || !password} loading={busy && !plan} data-testid="merge-check">
            {t('检查（不写入）', 'Check (dry run)')}
          </Button>
        </Space>
        {frozen && <Alert type="warning" showIcon message={t('项目已批准，不能合并', 'The project is approved; it cannot merge')} />}
        {error && <Alert type="error" showIcon data-testid="merge-error" message={tx(error)} />}
        {plan && (
          <>
            <Alert
              type={plan.conflicts.length ? 'warning' : 'info'}
              showIcon
              data-testid="merge-plan"
              message={
                plan.unchanged
                  ? t('该数据包已合并过，无需再合并', 'This bundle was merged before; nothing to do')
                  : t(
                      `将采用对方结论 ${plan.verdicts_taken.length} 项、范围答案 ${plan.scope_taken.length} 项、新增证据 ${plan.evidence.added} 项、新增整改项 ${plan.findings_added.length} 项；冲突 ${plan.conflicts.length} 项需选择`,
                      `Would take ${plan.verdicts_taken.length} verdicts, ${plan.scope_taken.length} scope answers, ${plan.evidence.added} evidence items, ${plan.findings_added.length} findings; ${plan.conflicts.length} conflicts to choose`,
                    )
              }
            />
            {plan.conflicts.length > 0 && <ConflictTable conflicts={plan.conflicts} choice={choice} onChoose={setChoice} />}
            {!plan.unchanged && (
              <Button type="primary" onClick={() => run(false)} disabled={unresolved > 0} loading={busy} data-testid="merge-apply">
                {unresolved > 0 ? t(`还有 ${unresolved} 项冲突未选择`, `${unresolved} conflicts left to choose`) : t('合并', 'Merge')}
              </Button>
            )}
          </>
        )}
        {done && <MergeResult r={done} />}
      </Space>
    </Card>
  );
}

function ExportDialog({ open, onClose, team }: { open: boolean; onClose: () => void; team: TeamView }) {
  const { t, tx } = useT();
  const { library, project } = useProject();
  const [mode, setMode] = useState<'all' | 'assignee' | 'requirements'>('assignee');
  const [assignee, setAssignee] = useState('');
  const [patterns, setPatterns] = useState<string[]>([]);
  const [withEvidence, setWithEvidence] = useState(true);
  const [sm4, setSm4] = useState(false);
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Text | null>(null);
  const [done, setDone] = useState<BundleExported | null>(null);
  const names = useMemo(() => [...new Set(team.assignments.map((a) => a.assignee))], [team]);
  const options = useMemo(() => patternOptions(library, project, tx), [library, project, tx]);
  const mismatch = pw2.length > 0 && pw !== pw2;
  const ready = pw.length > 0 && pw === pw2 && (mode === 'all' || (mode === 'assignee' ? assignee.trim() : patterns.length));

  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.bundleExport({
        assignee: mode === 'assignee' ? assignee.trim() : null,
        requirements: mode === 'requirements' ? patterns : [],
        with_evidence: withEvidence,
        sm4,
        password: pw,
      });
      if (r) {
        setDone(r);
        setPw('');
        setPw2('');
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setDone(null);
    setError(null);
    setPw('');
    setPw2('');
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('导出给同事', 'Export for a colleague')}
      onCancel={close}
      okText={t('选择保存位置并导出', 'Choose where and export')}
      okButtonProps={{ disabled: !ready || !!done, loading: busy, 'data-testid': 'export-go' } as ButtonProps}
      onOk={go}
      destroyOnHidden
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="export-dialog">
        <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)} data-testid="export-mode">
          <Radio value="assignee">{t('分给某位评估人的部分', "An assessor's part")}</Radio>
          <Radio value="requirements">{t('选定的要求', 'Chosen requirements')}</Radio>
          <Radio value="all">{t('整个项目', 'The whole project')}</Radio>
        </Radio.Group>
        {mode === 'assignee' && (
          <AutoComplete
            style={{ width: '100%' }}
            value={assignee}
            onChange={setAssignee}
            options={names.map((n) => ({ value: n }))}
            placeholder={t('评估人姓名', "Assessor's name")}
            data-testid="export-assignee"
          />
        )}
        {mode === 'requirements' && (
          <Select
            mode="tags"
            style={{ width: '100%' }}
            value={patterns}
            onChange={setPatterns}
            options={options}
            placeholder={t('要求、章节或检查包编号（可用 *）', 'Requirement, section or pack ids (* allowed)')}
            data-testid="export-patterns"
          />
        )}
        <Checkbox checked={withEvidence} onChange={(e) => setWithEvidence(e.target.checked)} data-testid="export-evidence">
          {t('包含证据文件', 'Include the evidence files')}
        </Checkbox>
        <Radio.Group value={sm4 ? 'sm4' : 'aes'} onChange={(e) => setSm4(e.target.value === 'sm4')} data-testid="export-alg">
          <Radio value="aes">AES-256-GCM</Radio>
          <Radio value="sm4">{t('SM4-GCM（国密）', 'SM4-GCM (Chinese commercial cryptography)')}</Radio>
        </Radio.Group>
        <Input.Password placeholder={t('密码', 'Password')} value={pw} onChange={(e) => setPw(e.target.value)} data-testid="export-pw" />
        <Input.Password
          placeholder={t('再次输入密码', 'Password again')}
          value={pw2}
          status={mismatch ? 'error' : undefined}
          onChange={(e) => setPw2(e.target.value)}
          data-testid="export-pw2"
        />
        {mismatch && <Typography.Text type="danger">{t('两次输入的密码不一致', 'The passwords differ')}</Typography.Text>}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('密码不会被保存；请通过其他渠道告诉同事。', 'The password is not stored; tell your colleague by another channel.')}
        </Typography.Text>
        {error && <Alert type="error" showIcon data-testid="export-error" message={tx(error)} />}
        {done && (
          <Alert
            type="success"
            showIcon
            data-testid="export-done"
            message={t('已导出', 'Exported')}
            description={`${done.path} · ${done.manifest.part.requirements.length || t('全部', 'all')} ${t('项要求', 'requirements')} · ${done.manifest.files.length} ${t('个文件', 'files')}`}
          />
        )}
      </Space>
    </Modal>
  );
}

function AssignPanel({ team, onChange, frozen }: { team: TeamView; onChange: (t: TeamView) => void; frozen: boolean }) {
  const { t, tx } = useT();
  const { library, project, reportError } = useProject();
  const [patterns, setPatterns] = useState<string[]>([]);
  const [assignee, setAssignee] = useState('');
  const options = useMemo(() => patternOptions(library, project, tx), [library, project, tx]);
  const names = useMemo(() => [...new Set([team.me, ...team.assignments.map((a) => a.assignee)].filter(Boolean))], [team]);
  const assign = async () => {
    try {
      onChange(await api.assignSet(assignee.trim(), patterns));
      setPatterns([]);
    } catch (e) {
      reportError(e);
    }
  };
  const clear = async (p: string) => {
    try {
      onChange(await api.assignClear([p]));
    } catch (e) {
      reportError(e);
    }
  };
  return (
    <Card title={t('分工', 'Assignment')} size="small" data-testid="assign-panel">
      <Space wrap style={{ marginBottom: 8 }}>
        <Select
          mode="multiple"
          style={{ minWidth: 320 }}
          value={patterns}
          onChange={setPatterns}
          options={options}
          optionFilterProp="label"
          placeholder={t('检查包、章节或要求', 'Pack, section or requirement')}
          data-testid="assign-patterns"
        />
        <AutoComplete
          style={{ width: 160 }}
          value={assignee}
          onChange={setAssignee}
          options={names.map((n) => ({ value: n }))}
          placeholder={t('评估人', 'Assessor')}
          data-testid="assign-name"
        />
        <Button type="primary" disabled={frozen || !patterns.length || !assignee.trim()} onClick={assign} data-testid="assign-set">
          {t('分配', 'Assign')}
        </Button>
      </Space>
      <Table
        size="small"
        pagination={false}
        rowKey="pattern"
        dataSource={team.assignments}
        locale={{ emptyText: <Empty description={t('尚无分工', 'No assignments')} /> }}
        columns={[
          { title: t('范围', 'What'), dataIndex: 'pattern' },
          { title: t('评估人', 'Assessor'), dataIndex: 'assignee' },
          { title: t('分配人', 'By'), dataIndex: 'set_by' },
          {
            title: '',
            render: (_, a) => (
              <Button size="small" danger disabled={frozen} onClick={() => clear(a.pattern)} data-testid={`assign-clear-${a.pattern}`}>
                {t('取消分配', 'Unassign')}
              </Button>
            ),
          },
        ]}
      />
    </Card>
  );
}

export function Team({ onOpened }: { onOpened: (p: ProjectView) => void }) {
  const { t } = useT();
  const { project, reportError } = useProject();
  const [team, setTeam] = useState<TeamView | null>(null);
  const [exportOpen, setExportOpen] = useState(false);
  const [withEvidence, setWithEvidence] = useState(false);
  const [cloning, setCloning] = useState(false);
  const frozen = isFrozen(project);

  const load = useCallback(() => {
    api.teamView().then(setTeam).catch(reportError);
  }, [reportError]);
  useEffect(load, [load, project.meta.revision]);

  const nextCycle = async () => {
    setCloning(true);
    try {
      const c = await api.projectClonePick(withEvidence);
      if (c) onOpened(c.project);
    } catch (e) {
      reportError(e);
    } finally {
      setCloning(false);
    }
  };

  if (!team) return null;
  return (
    <Space direction="vertical" style={{ width: '100%', padding: 16 }} data-testid="team">
      <Card title={t('评估人进度', 'Progress per assessor')} size="small">
        <AssessorProgressList progress={team.progress} me={team.me} />
      </Card>
      <AssignPanel team={team} onChange={setTeam} frozen={frozen} />
      <Card title={t('与同事离线协作', 'Work with colleagues offline')} size="small">
        <Space wrap>
          <Button type="primary" onClick={() => setExportOpen(true)} data-testid="export-colleague">
            {t('导出给同事', 'Export for a colleague')}
          </Button>
          <Checkbox checked={withEvidence} onChange={(e) => setWithEvidence(e.target.checked)} data-testid="clone-evidence">
            {t('下一周期带上证据', 'Carry evidence into the next cycle')}
          </Checkbox>
          <Button onClick={nextCycle} loading={cloning} data-testid="next-cycle">
            {t('下一周期…', 'Next cycle…')}
          </Button>
        </Space>
      </Card>
      <MergePanel frozen={frozen} />
      <ExportDialog open={exportOpen} onClose={() => setExportOpen(false)} team={team} />
    </Space>
  );
}

/** The team view for screens where it is an extra (the checklist, the
 * dashboard): null when it cannot be had, never an error shown. */
export function loadTeam(): Promise<TeamView | null> {
  return Promise.resolve()
    .then(() => api.teamView())
    .then((t) => t ?? null)
    .catch(() => null);
}

/** The checklist's bar: the "mine" filter and assigning the selected
 * requirement, its section or its pack. */
export function AssignBar({
  team,
  onChange,
  ids,
  mine,
  setMine,
  frozen,
}: {
  team: TeamView | null;
  onChange: (t: TeamView) => void;
  /** The selected requirement, its section and its pack. */
  ids: { requirement: string; section: string; pack: string } | null;
  mine: boolean;
  setMine: (m: boolean) => void;
  frozen: boolean;
}) {
  const { t } = useT();
  const { reportError } = useProject();
  const [what, setWhat] = useState<'requirement' | 'section' | 'pack'>('requirement');
  const [name, setName] = useState('');
  const me = team?.me ?? '';
  const names = useMemo(
    () => [...new Set([me, ...(team?.assignments ?? []).map((a) => a.assignee)].filter(Boolean))],
    [team, me],
  );
  const current = ids ? team?.assignees[ids.requirement] : undefined;
  const assign = async () => {
    if (!ids) return;
    try {
      onChange(await api.assignSet(name.trim() || me, [ids[what]]));
    } catch (e) {
      reportError(e);
    }
  };
  return (
    <div style={{ padding: '6px 8px', borderBottom: '1px solid #f0f0f0', display: 'flex', flexWrap: 'wrap', gap: 6, alignItems: 'center' }} data-testid="assign-bar">
      <Checkbox checked={mine} disabled={!me} onChange={(e) => setMine(e.target.checked)} data-testid="filter-mine">
        {me ? t(`只看我的（${me}）`, `Mine only (${me})`) : t('只看我的（先在设置中填写评估人）', 'Mine only (set your name in Settings)')}
      </Checkbox>
      {ids && (
        <>
          <Tag data-testid="assigned-to">{current ? t(`负责人：${current}`, `Assessor: ${current}`) : t('未分配', 'Unassigned')}</Tag>
          <Select
            size="small"
            value={what}
            onChange={setWhat}
            style={{ width: 110 }}
            data-testid="assign-what"
            options={[
              { value: 'requirement', label: t('本要求', 'This item') },
              { value: 'section', label: t('本章节', 'Its section') },
              { value: 'pack', label: t('本检查包', 'Its pack') },
            ]}
          />
          <AutoComplete
            size="small"
            style={{ width: 110 }}
            value={name}
            onChange={setName}
            options={names.map((n) => ({ value: n }))}
            placeholder={me || t('评估人', 'Assessor')}
            data-testid="assign-bar-name"
          />
          <Button size="small" disabled={frozen || !(name.trim() || me)} onClick={assign} data-testid="assign-bar-set">
            {t('分配', 'Assign')}
          </Button>
        </>
      )}
    </div>
  );
}

/** Last cycle's verdict and note on a requirement, as reference (after "next cycle"). */
export function PreviousVerdictNote({ id }: { id: string }) {
  const { t, tx } = useT();
  const [prev, setPrev] = useState<PreviousVerdict | null>(null);
  useEffect(() => {
    let live = true;
    setPrev(null);
    void Promise.resolve()
      .then(() => api.previousVerdict(id))
      .then((p) => live && setPrev(p ?? null))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [id]);
  if (!prev) return null;
  return (
    <Alert
      type="info"
      style={{ margin: '8px 16px 0' }}
      data-testid="previous-verdict"
      message={t(
        `上一周期结论：${tx(verdictInfo(prev.verdict).label)}（${prev.assessor}，${shortTime(prev.at)}）`,
        `Last cycle: ${tx(verdictInfo(prev.verdict).label)} (${prev.assessor}, ${shortTime(prev.at)})`,
      )}
      description={prev.note || undefined}
    />
  );
}
