// 项目信息: everything the report states about the assessment besides its
// results (parties with 统一社会信用代码, team with roles and certificate
// numbers, tools, assessed objects, schedule, purpose, boundary,
// distribution, time zone, the evidence rule). The core validates on save;
// its refusals are shown under the field each names.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Input, InputNumber, Row, Select, Space, Switch, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import {
  api,
  emptyInfo,
  type FieldProblem,
  type Info,
  type InfoView,
  type Party,
  type TeamRole,
} from '../api';
import { useT } from '../i18n';
import { isFrozen, useProject } from '../store';

/** The problems naming `field` or a field inside it (`objects.platforms.0` → `.level`). */
export function problemsOf(problems: FieldProblem[], field: string): FieldProblem[] {
  return problems.filter((p) => p.field === field || p.field.startsWith(`${field}.`));
}

/** A problem's words without the field path it starts with (shown under that field). */
export function withoutField(text: string, field: string): string {
  if (!field || !text.startsWith(field)) return text;
  return text.slice(field.length).replace(/^\s*[：:]\s*/, '');
}

/** Common IANA zones offered in the picker (any IANA name may be typed). */
export const ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Tokyo', 'Europe/Berlin', 'UTC'];

const PARTY_FIELDS: { key: keyof Party; zh: string; en: string }[] = [
  { key: 'name', zh: '名称', en: 'Name' },
  { key: 'credit_code', zh: '统一社会信用代码', en: 'Unified social credit code' },
  { key: 'address', zh: '地址', en: 'Address' },
  { key: 'contact', zh: '联系人', en: 'Contact' },
  { key: 'phone', zh: '电话', en: 'Phone' },
  { key: 'email', zh: '电子邮箱', en: 'Email' },
  { key: 'security_officer', zh: '网络安全责任人', en: 'Cybersecurity officer' },
];

type Col = { key: string; zh: string; en: string; kind?: 'text' | 'level' | 'role'; span?: number };

export function ProjectInfo() {
  const { project, reportError, refresh } = useProject();
  const { t, tx, lang } = useT();
  const { message } = AntApp.useApp();
  const frozen = isFrozen(project);
  const [view, setView] = useState<InfoView | null>(null);
  const [info, setInfo] = useState<Info>(emptyInfo());
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [saving, setSaving] = useState(false);
  const [dirty, setDirty] = useState(false);

  const load = useCallback(async () => {
    try {
      const v = await api.projectInfo();
      setView(v);
      setInfo(v.info);
      setDirty(false);
    } catch (e) {
      reportError(e);
    }
  }, [reportError]);
  useEffect(() => {
    void load();
  }, [load]);

  /** A field edited: its problems go until the next save says otherwise. */
  const touched = (path: string) => setProblems((ps) => (ps.some((p) => p.field === path) ? ps.filter((p) => p.field !== path) : ps));
  const edit = (f: (i: Info) => Info) => {
    setInfo((i) => f(structuredClone(i)));
    setDirty(true);
  };

  const save = async () => {
    setSaving(true);
    try {
      const r = await api.projectInfoSet(info);
      setProblems(r.problems);
      if (r.saved) {
        setView(r.view);
        setInfo(r.view.info);
        setDirty(false);
        message.success(t('项目信息已保存', 'Project information saved'));
        await refresh();
      }
    } catch (e) {
      reportError(e);
    } finally {
      setSaving(false);
    }
  };

  // Names the project already has (wizard) are offered as placeholders; the report uses them when these are empty.
  const placeholders: Record<string, string> = {
    'assessee.name': project.meta.assessee,
    'assessor_org.name': project.meta.kind === 'third-party' ? project.meta.organisation : '',
  };
  const errs = (field: string): ReactNode => {
    const ps = problemsOf(problems, field);
    if (!ps.length) return null;
    return (
      <div data-testid={`info-error-${field}`} style={{ color: '#cf1322', fontSize: 12, marginTop: 2 }}>
        {ps.map((p) => withoutField(lang === 'en' ? p.en : p.zh, p.field)).join('；')}
      </div>
    );
  };

  const field = (label: string, path: string, node: ReactNode, span = 12) => (
    <Col span={span} key={path}>
      <div style={{ fontSize: 12, color: '#595959', marginBottom: 2 }}>{label}</div>
      {node}
      {errs(path)}
    </Col>
  );

  const text = (label: string, path: string, value: string, set: (i: Info, v: string) => void, span = 12, area = false) =>
    field(
      label,
      path,
      area ? (
        <Input.TextArea
          data-testid={`info-${path}`}
          value={value}
          disabled={frozen}
          autoSize={{ minRows: 2, maxRows: 6 }}
          onChange={(e) => {
            touched(path);
            edit((i) => (set(i, e.target.value), i));
          }}
        />
      ) : (
        <Input
          data-testid={`info-${path}`}
          value={value}
          disabled={frozen}
          status={problemsOf(problems, path).length ? 'error' : undefined}
          placeholder={placeholders[path]}
          onChange={(e) => {
            touched(path);
            edit((i) => (set(i, e.target.value), i));
          }}
        />
      ),
      span,
    );

  const party = (key: 'assessee' | 'client' | 'assessor_org', title: string) => (
    <Card size="small" title={title} data-testid={`info-card-${key}`} style={{ marginBottom: 12 }}>
      <Row gutter={[12, 8]}>
        {PARTY_FIELDS.map((f) =>
          text(t(f.zh, f.en), `${key}.${f.key}`, info[key][f.key], (i, v) => {
            i[key][f.key] = v;
          }, f.key === 'address' ? 24 : 12),
        )}
      </Row>
    </Card>
  );

  /** An editable list of rows (team, tools, platforms, vehicles, apps). */
  function list<R extends object>(
    path: string,
    rows: R[],
    cols: Col[],
    blank: () => R,
    setRows: (i: Info, rows: R[]) => void,
  ) {
    const setCell = (idx: number, key: string, v: unknown) =>
      edit((i) => {
        const copy = rows.map((r) => ({ ...r })) as Record<string, unknown>[];
        copy[idx][key] = v;
        setRows(i, copy as R[]);
        return i;
      });
    return (
      <div data-testid={`info-list-${path}`}>
        {rows.map((r, idx) => (
          <Row gutter={8} key={idx} style={{ marginBottom: 6 }} data-testid={`info-row-${path}-${idx}`}>
            {cols.map((c) => {
              const p = `${path}.${idx}.${c.key}`;
              const v = (r as Record<string, unknown>)[c.key];
              let node: ReactNode;
              if (c.kind === 'level')
                node = (
                  <InputNumber
                    data-testid={`info-${p}`}
                    style={{ width: '100%' }}
                    placeholder={t('等级 1–5', 'level 1–5')}
                    value={(v as number | null) ?? null}
                    disabled={frozen}
                    status={problemsOf(problems, p).length ? 'error' : undefined}
                    onChange={(n) => {
                      touched(p);
                      setCell(idx, c.key, n == null ? null : Number(n));
                    }}
                  />
                );
              else if (c.kind === 'role')
                node = (
                  <Select
                    data-testid={`info-${p}`}
                    style={{ width: '100%' }}
                    allowClear
                    placeholder={t('签署角色', 'Signs as')}
                    value={(v as TeamRole | null) ?? undefined}
                    disabled={frozen}
                    options={(view?.roles ?? []).map((o) => ({ value: o.value, label: tx(o.label) }))}
                    onChange={(x) => setCell(idx, c.key, x ?? null)}
                  />
                );
              else
                node = (
                  <Input
                    data-testid={`info-${p}`}
                    placeholder={t(c.zh, c.en)}
                    value={(v as string) ?? ''}
                    disabled={frozen}
                    onChange={(e) => setCell(idx, c.key, e.target.value)}
                  />
                );
              return (
                <Col span={c.span ?? Math.floor(22 / cols.length)} key={c.key}>
                  {node}
                  {errs(p)}
                </Col>
              );
            })}
            <Col span={2}>
              <Button
                icon={<DeleteOutlined />}
                disabled={frozen}
                aria-label={t('删除', 'Remove')}
                data-testid={`info-remove-${path}-${idx}`}
                onClick={() => edit((i) => (setRows(i, rows.filter((_, k) => k !== idx)), i))}
              />
            </Col>
          </Row>
        ))}
        <Button
          size="small"
          icon={<PlusOutlined />}
          disabled={frozen}
          data-testid={`info-add-${path}`}
          onClick={() => edit((i) => (setRows(i, [...rows, blank()]), i))}
        >
          {t('添加', 'Add')}
        </Button>
      </div>
    );
  }

  const lines = (v: string[]) => v.join('\n');
  const unlines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);

  return (
    <div data-testid="project-info" style={{ maxWidth: 1100 }}>
      <Space style={{ marginBottom: 12, justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('项目信息', 'Project information')}
        </Typography.Title>
        <Button type="primary" icon={<SaveOutlined />} loading={saving} disabled={frozen || !dirty} onClick={save} data-testid="info-save">
          {t('保存', 'Save')}
        </Button>
      </Space>
      {frozen && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('项目已批准，信息不可修改（重新打开后可改）', 'The project is approved: reopen it to change its information')} />
      )}
      {problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="info-problems"
          title={t('未保存：请改正下列标红的字段', 'Not saved: correct the fields marked in red')}
          description={problems.map((p) => (lang === 'en' ? p.en : p.zh)).join('；')}
        />
      )}
      <Card size="small" title={t('报告与评估', 'Report and assessment')} style={{ marginBottom: 12 }}>
        <Row gutter={[12, 8]}>
          {text(t('报告编号', 'Report number'), 'report_number', info.report_number, (i, v) => {
            i.report_number = v;
          })}
          {field(
            t('时区（报告与界面中的时间按此时区显示）', 'Time zone (times in reports and on screen)'),
            'time_zone',
            <Select
              data-testid="info-time_zone"
              style={{ width: '100%' }}
              showSearch
              allowClear
              disabled={frozen}
              placeholder={`${t('系统时区', 'System zone')}: ${view?.system_zone ?? ''}`}
              value={info.time_zone ?? undefined}
              options={[...new Set([...(info.time_zone ? [info.time_zone] : []), ...ZONES])].map((z) => ({ value: z, label: z }))}
              onChange={(z) => edit((i) => ((i.time_zone = z || null), i))}
              onSearch={() => undefined}
            />,
          )}
          {text(t('开始日期（YYYY-MM-DD）', 'Start date (YYYY-MM-DD)'), 'schedule.start', info.schedule.start ?? '', (i, v) => {
            i.schedule.start = v.trim() ? v.trim() : null;
          }, 6)}
          {text(t('结束日期（YYYY-MM-DD）', 'End date (YYYY-MM-DD)'), 'schedule.end', info.schedule.end ?? '', (i, v) => {
            i.schedule.end = v.trim() ? v.trim() : null;
          }, 6)}
          <Col span={12}>{errs('schedule')}</Col>
          {text(t('评估目的', 'Purpose'), 'purpose', info.purpose, (i, v) => {
            i.purpose = v;
          }, 24, true)}
          {text(t('评估范围与边界', 'Scope and boundary'), 'boundary', info.boundary, (i, v) => {
            i.boundary = v;
          }, 24, true)}
          {text(t('评估方法说明', 'Note on methods'), 'methods_note', info.methods_note, (i, v) => {
            i.methods_note = v;
          }, 24, true)}
          {text(t('分发范围（每行一个）', 'Distribution (one per line)'), 'distribution', lines(info.distribution), (i, v) => {
            i.distribution = unlines(v);
          }, 12, true)}
          {text(t('评估机构资质（每行一项）', 'Qualifications of the institution (one per line)'), 'qualifications', lines(info.qualifications), (i, v) => {
            i.qualifications = unlines(v);
          }, 12, true)}
          {field(
            t('要求证据（第三方评估：批准前每项符合/不符合须有证据或理由）', 'Require evidence (third party: every conformant/non-conformant verdict needs evidence or a reason before approval)'),
            'require_evidence',
            <Switch data-testid="info-require_evidence" checked={info.require_evidence} disabled={frozen} onChange={(v) => edit((i) => ((i.require_evidence = v), i))} />,
          )}
          {field(
            t('被评估单位已签署真实性声明', 'The assessed party signed its statement of truthfulness'),
            'assessee_statement',
            <Switch data-testid="info-assessee_statement" checked={info.assessee_statement} disabled={frozen} onChange={(v) => edit((i) => ((i.assessee_statement = v), i))} />,
          )}
        </Row>
      </Card>
      {party('assessee', t('被评估单位', 'Assessed party'))}
      {party('client', t('委托单位', 'Client'))}
      {party('assessor_org', t('评估机构', 'Assessing institution'))}
      <Card size="small" title={t('评估团队', 'Team')} style={{ marginBottom: 12 }}>
        {list(
          'team',
          info.team,
          [
            { key: 'name', zh: '姓名', en: 'Name', span: 5 },
            { key: 'role', zh: '职责（如 组长、渗透测试）', en: 'Role (e.g. lead, penetration test)', span: 7 },
            { key: 'cert_no', zh: '证书编号', en: 'Certificate no.', span: 5 },
            { key: 'kind', zh: '签署角色', en: 'Signs as', kind: 'role', span: 5 },
          ],
          () => ({ name: '', role: '', cert_no: '', kind: null }),
          (i, r) => (i.team = r),
        )}
      </Card>
      <Card size="small" title={t('评估工具', 'Tools')} style={{ marginBottom: 12 }}>
        {list(
          'tools',
          info.tools,
          [
            { key: 'name', zh: '名称', en: 'Name' },
            { key: 'version', zh: '版本', en: 'Version' },
            { key: 'purpose', zh: '用途', en: 'Purpose' },
          ],
          () => ({ name: '', version: '', purpose: '' }),
          (i, r) => (i.tools = r),
        )}
      </Card>
      <Card size="small" title={t('评估对象', 'Assessed objects')} style={{ marginBottom: 12 }}>
        <Typography.Text strong>{t('平台', 'Platforms')}</Typography.Text>
        {list(
          'objects.platforms',
          info.objects.platforms,
          [
            { key: 'name', zh: '平台名称', en: 'Platform name' },
            { key: 'level', zh: '等级', en: 'Level', kind: 'level' },
            { key: 'filing_no', zh: '备案编号', en: 'Filing no.' },
          ],
          () => ({ name: '', level: null, filing_no: '' }),
          (i, r) => (i.objects.platforms = r),
        )}
        <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
          {t('车型', 'Vehicle types')}
        </Typography.Text>
        {list(
          'objects.vehicles',
          info.objects.vehicles,
          [
            { key: 'name', zh: '车型名称', en: 'Vehicle type' },
            { key: 'model', zh: '型号', en: 'Model' },
            { key: 'software_version', zh: '软件版本', en: 'Software version' },
          ],
          () => ({ name: '', model: '', software_version: '' }),
          (i, r) => (i.objects.vehicles = r),
        )}
        <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
          {t('应用（App）', 'Apps')}
        </Typography.Text>
        {list(
          'objects.apps',
          info.objects.apps,
          [
            { key: 'name', zh: '应用名称', en: 'App name' },
            { key: 'version', zh: '版本', en: 'Version' },
          ],
          () => ({ name: '', version: '' }),
          (i, r) => (i.objects.apps = r),
        )}
        <Row gutter={[12, 8]} style={{ marginTop: 12 }}>
          {text(t('数据目录', 'Data catalogue'), 'objects.data_catalogue', info.objects.data_catalogue, (i, v) => {
            i.objects.data_catalogue = v;
          }, 24, true)}
        </Row>
      </Card>
      {view && (
        <Typography.Text type="secondary" data-testid="info-zone">
          {t('时间按时区显示：', 'Times are shown in: ')}
          {view.zone}
        </Typography.Text>
      )}
    </div>
  );
}
