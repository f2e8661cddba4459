// The form of a finding (整改项), new or edited; used in the checklist's
// small modal and in the findings screen's drawer. Calls findingAdd /
// findingUpdate itself and hands the saved finding back.
import { useEffect, useMemo, useState } from 'react';
import { Button, Form, Input, Segmented, Space, Typography } from 'antd';
import { api, type Finding, type FindingInput, type FindingStatus, type RiskInfo, type Severity, type Status } from '../../api';
import { FINDING_STATUSES, SEVERITIES, useT } from '../../i18n';
import { useProject } from '../../store';
import { isIsoDate, shortTime } from './bits';

export function FindingEditor({
  initial,
  requirement,
  statuses,
  defaultSeverity = 'medium',
  showStatus = true,
  disabled = false,
  onSaved,
  onCancel,
}: {
  /** The finding to edit; null for a new one. */
  initial: Finding | null;
  /** A fixed requirement (the checklist's current one): the field is then read-only. */
  requirement?: string;
  statuses: Status[];
  defaultSeverity?: Severity;
  showStatus?: boolean;
  disabled?: boolean;
  onSaved: (f: Finding) => void;
  onCancel: () => void;
}) {
  const { t, tx } = useT();
  const { reportError } = useProject();
  const [title, setTitle] = useState(initial?.title ?? '');
  const [req, setReq] = useState(initial?.requirement ?? requirement ?? '');
  const [severity, setSeverity] = useState<Severity>(initial?.severity ?? defaultSeverity);
  const [owner, setOwner] = useState(initial?.owner ?? '');
  const [due, setDue] = useState(initial?.due ?? '');
  const [status, setStatus] = useState<FindingStatus>(initial?.status ?? 'open');
  const [note, setNote] = useState(initial?.note ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [threat, setThreat] = useState(initial?.threat ?? '');
  const [impact, setImpact] = useState<Severity | ''>(initial?.impact ?? '');
  const [likelihood, setLikelihood] = useState<Severity | ''>(initial?.likelihood ?? '');
  const [recommendation, setRecommendation] = useState(initial?.recommendation ?? '');
  const [timeLimit, setTimeLimit] = useState(initial?.time_limit ?? '');
  const [risk, setRisk] = useState<RiskInfo | null>(null);
  useEffect(() => {
    let live = true;
    api
      .riskInfo()
      .then((r) => live && setRisk(r))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const byId = useMemo(() => {
    const m = new Map<string, Status>();
    for (const s of statuses) m.set(s.requirement.toLowerCase(), s);
    return m;
  }, [statuses]);
  const matched = req.trim() ? byId.get(req.trim().toLowerCase()) : undefined;

  const validate = (): Record<string, string> => {
    const e: Record<string, string> = {};
    if (!title.trim()) e.title = t('请填写标题', 'A title is required');
    if (!req.trim()) e.requirement = t('请填写要求编号', 'A requirement id is required');
    else if (!matched) e.requirement = t(`本项目中没有要求「${req.trim()}」`, `No requirement "${req.trim()}" in this project`);
    const d = due.trim();
    if (d && !isIsoDate(d)) e.due = t('日期格式应为 YYYY-MM-DD，如 2026-12-31', 'Write the date as YYYY-MM-DD, e.g. 2026-12-31');
    if (!d && initial?.due) e.due = t('已设定的整改期限不能清空，可改为其他日期', 'A due date once set cannot be cleared; change it to another date');
    return e;
  };

  const save = async () => {
    if (busy || disabled) return;
    const e = validate();
    setErrors(e);
    if (Object.keys(e).length) return;
    const rid = matched!.requirement;
    const d = due.trim() || null;
    setBusy(true);
    try {
      let saved: Finding;
      if (!initial) {
        const input: FindingInput = {
          requirement: rid,
          title: title.trim(),
          severity,
          owner: owner.trim(),
          due: d,
          note: note.trim(),
          description: description.trim(),
          threat: threat.trim(),
          impact,
          likelihood,
          recommendation: recommendation.trim(),
          time_limit: timeLimit.trim(),
        };
        if (showStatus && status !== 'open') input.status = status;
        saved = await api.findingAdd(input);
      } else {
        // Only what changed (absent = unchanged).
        const input: FindingInput = {};
        if (rid !== initial.requirement) input.requirement = rid;
        if (title.trim() !== initial.title) input.title = title.trim();
        if (severity !== initial.severity) input.severity = severity;
        if (owner.trim() !== initial.owner) input.owner = owner.trim();
        if (d !== initial.due && d !== null) input.due = d;
        if (status !== initial.status) input.status = status;
        if (note.trim() !== initial.note) input.note = note.trim();
        if (description.trim() !== (initial.description ?? '')) input.description = description.trim();
        if (threat.trim() !== (initial.threat ?? '')) input.threat = threat.trim();
        if (impact !== (initial.impact ?? '')) input.impact = impact;
        if (likelihood !== (initial.likelihood ?? '')) input.likelihood = likelihood;
        if (recommendation.trim() !== (initial.recommendation ?? '')) input.recommendation = recommendation.trim();
        if (timeLimit.trim() !== (initial.time_limit ?? '')) input.time_limit = timeLimit.trim();
        saved = Object.keys(input).length ? await api.findingUpdate(initial.id, input) : initial;
      }
      onSaved(saved);
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const clearErr = (k: string) => {
    if (errors[k]) setErrors((e) => ({ ...e, [k]: '' }));
  };

  const err = (k: string) =>
    errors[k] ? (
      <span data-testid={'finding-error-' + k} style={{ color: '#cf1322' }}>
        {errors[k]}
      </span>
    ) : undefined;

  return (
    <Form layout="vertical" size="middle" disabled={disabled} component="div" data-testid="finding-form">
      <Form.Item label={t('标题', 'Title')} required validateStatus={errors.title ? 'error' : undefined} help={err('title')} style={{ marginBottom: 12 }}>
        <Input
          value={title}
          onChange={(e) => {
            setTitle(e.target.value);
            clearErr('title');
          }}
          maxLength={200}
          placeholder={t('问题简述，如：未建立漏洞管理制度', 'Short statement of the problem')}
          data-testid="finding-title"
          autoFocus
        />
      </Form.Item>
      <Form.Item
        label={t('关联要求', 'Requirement')}
        required
        validateStatus={errors.requirement ? 'error' : undefined}
        help={err('requirement') ?? (matched ? <span data-testid="finding-req-title">{tx(matched.title)}</span> : undefined)}
        style={{ marginBottom: 12 }}
      >
        <Input
          value={req}
          onChange={(e) => {
            setReq(e.target.value);
            clearErr('requirement');
          }}
          readOnly={!!requirement}
          className="mono"
          placeholder={t('要求编号，如 GB44495-7.2.1', 'Requirement id')}
          data-testid="finding-requirement"
        />
      </Form.Item>
      <Space size={24} wrap style={{ marginBottom: 12 }}>
        <div>
          <div style={{ marginBottom: 6 }}>{t('严重程度', 'Severity')}</div>
          <Segmented<Severity>
            data-testid="finding-severity"
            value={severity}
            onChange={setSeverity}
            options={SEVERITIES.map((s) => ({ value: s.code, label: tx(s.label) }))}
          />
        </div>
        {showStatus && (
          <div>
            <div style={{ marginBottom: 6 }}>{t('状态', 'Status')}</div>
            <Segmented<FindingStatus>
              data-testid="finding-status"
              value={status}
              onChange={setStatus}
              options={FINDING_STATUSES.map((s) => ({ value: s.code, label: tx(s.label) }))}
            />
          </div>
        )}
      </Space>
      <Space size={12} style={{ display: 'flex' }} styles={{ item: { flex: 1 } }}>
        <Form.Item label={t('责任人', 'Owner')} style={{ marginBottom: 12 }}>
          <Input value={owner} onChange={(e) => setOwner(e.target.value)} maxLength={100} data-testid="finding-owner" />
        </Form.Item>
        <Form.Item
          label={t('整改期限', 'Due')}
          validateStatus={errors.due ? 'error' : undefined}
          help={err('due')}
          style={{ marginBottom: 12 }}
        >
          <Input value={due} onChange={(e) => {
              setDue(e.target.value);
              clearErr('due');
            }} placeholder="YYYY-MM-DD" maxLength={10} className="mono" data-testid="finding-due" />
        </Form.Item>
      </Space>
      <Form.Item label={t('问题描述', 'Description')} style={{ marginBottom: 12 }}>
        <Input.TextArea value={description} onChange={(e) => setDescription(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }} data-testid="finding-description" />
      </Form.Item>
      <Form.Item label={t('威胁', 'Threat')} style={{ marginBottom: 12 }}>
        <Input.TextArea value={threat} onChange={(e) => setThreat(e.target.value)} autoSize={{ minRows: 1, maxRows: 4 }} data-testid="finding-threat" />
      </Form.Item>
      <Space size={24} wrap style={{ marginBottom: 12 }}>
        {(
          [
            ['impact', t('影响程度', 'Impact'), impact, setImpact],
            ['likelihood', t('可能性', 'Likelihood'), likelihood, setLikelihood],
          ] as const
        ).map(([k, label, v, set]) => (
          <div key={k}>
            <div style={{ marginBottom: 6 }}>{label}</div>
            <Segmented<Severity | ''>
              data-testid={`finding-${k}`}
              value={v}
              onChange={(x) => set(x)}
              options={[{ value: '' as const, label: t('未评', 'Not rated') }, ...SEVERITIES.map((s) => ({ value: s.code, label: tx(s.label) }))]}
            />
          </div>
        ))}
        <div data-testid="finding-risk">
          <div style={{ marginBottom: 6 }}>{t('风险等级', 'Risk level')}</div>
          <Typography.Text strong>
            {initial?.risk && risk ? tx(risk.labels[initial.risk]) : '—'}
          </Typography.Text>
          {risk && (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 11, maxWidth: 360 }} data-testid="finding-risk-rule">
              {tx(risk.rule)}
            </Typography.Text>
          )}
        </div>
      </Space>
      <Form.Item label={t('整改建议', 'Recommendation')} style={{ marginBottom: 12 }}>
        <Input.TextArea value={recommendation} onChange={(e) => setRecommendation(e.target.value)} autoSize={{ minRows: 1, maxRows: 4 }} data-testid="finding-recommendation" />
      </Form.Item>
      <Form.Item label={t('整改时限（如 30 日内）', 'Time limit (e.g. within 30 days)')} style={{ marginBottom: 12 }}>
        <Input value={timeLimit} onChange={(e) => setTimeLimit(e.target.value)} maxLength={100} data-testid="finding-time_limit" />
      </Form.Item>
      <Form.Item label={t('说明', 'Note')} style={{ marginBottom: 12 }}>
        <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }} data-testid="finding-note" />
      </Form.Item>
      {initial && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('创建', 'Created')}：{initial.created_by} {shortTime(initial.created_at)} · {t('更新', 'Updated')}：{shortTime(initial.updated_at)}
        </Typography.Paragraph>
      )}
      <Space>
        <Button type="primary" onClick={save} loading={busy} disabled={disabled} data-testid="finding-save">
          {t('保存', 'Save')}
        </Button>
        <Button onClick={onCancel} disabled={false} data-testid="finding-cancel">
          {t('取消', 'Cancel')}
        </Button>
      </Space>
    </Form>
  );
}
