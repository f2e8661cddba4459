// Home: recent projects, open, the demo, and the new-project wizard
// (assessee → checklists → scoping questions → confirm).
import { useMemo, useState } from 'react';
import { Alert, Button, Card, Checkbox, Col, Descriptions, Empty, Form, Input, InputNumber, List, Modal, Radio, Row, Select, Space, Steps, Tag, Typography } from 'antd';
import { ExperimentOutlined, FileAddOutlined, FolderOpenOutlined, ImportOutlined } from '@ant-design/icons';
import { api, emptyInfo, type AppInfo, type Info, type ProjectKind, type ProjectView, type Question } from '../api';
import { useApp } from '../appctx';
import { useT } from '../i18n';
import { ZONES } from './ProjectInfo';

type Answer = string | string[] | number | null;

/** The raw answer string the core parses, or null if unanswered. */
export function rawAnswer(q: Question, a: Answer | undefined): string | null {
  if (a === undefined || a === null) return null;
  if (q.kind === 'multi') return Array.isArray(a) && a.length > 0 ? a.join(',') : null;
  if (q.kind === 'int') return typeof a === 'number' && Number.isFinite(a) ? String(Math.trunc(a)) : null;
  return typeof a === 'string' && a !== '' ? a : null;
}

/** Questions the chosen packs ask, in library order. */
export function questionsFor(questions: Question[], packQuestionIds: string[][]): Question[] {
  const wanted = new Set(packQuestionIds.flat());
  return questions.filter((q) => wanted.has(q.id));
}

export function Home({ info, onOpened }: { info: AppInfo; onOpened: (p: ProjectView) => void }) {
  const { t } = useT();
  const { reportError } = useApp();
  const [wizard, setWizard] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [bundlePw, setBundlePw] = useState('');

  const run = async (key: string, f: () => Promise<ProjectView | null>) => {
    setBusy(key);
    try {
      const p = await f();
      if (p) onOpened(p);
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(null);
    }
  };

  const importBundle = () => {
    const pw = bundlePw;
    setImporting(false);
    setBundlePw('');
    void run('import', () => api.bundleImportPick(pw));
  };

  if (wizard) return <Wizard info={info} onCancel={() => setWizard(false)} onOpened={onOpened} />;

  return (
    <Row gutter={16}>
      <Col span={15}>
        <Card title={t('最近的评估项目', 'Recent projects')}>
          {info.recent.length === 0 ? (
            <Empty description={t('还没有项目。新建一个，或先打开演示项目看看。', 'No projects yet. Create one, or open the demo first.')} />
          ) : (
            <List
              dataSource={info.recent}
              renderItem={(r, i) => (
                <List.Item
                  data-testid={`recent-${i}`}
                  style={{ cursor: 'pointer' }}
                  onClick={() => run(`recent-${i}`, () => api.projectOpenRecent(r.path))}
                  actions={[<Typography.Text type="secondary" key="t">{r.opened_at.replace('T', ' ').replace('Z', ' UTC')}</Typography.Text>]}
                >
                  <List.Item.Meta
                    title={<a>{r.name}</a>}
                    description={
                      <span>
                        {r.assessee} · <span className="mono">{r.path}</span>
                      </span>
                    }
                  />
                </List.Item>
              )}
            />
          )}
        </Card>
      </Col>
      <Col span={9}>
        <Card title={t('开始', 'Start')}>
          <Space direction="vertical" style={{ width: '100%' }} size="middle">
            <Button type="primary" block size="large" icon={<FileAddOutlined />} onClick={() => setWizard(true)} data-testid="home-new">
              {t('新建评估项目', 'New assessment project')}
            </Button>
            <Button block size="large" icon={<FolderOpenOutlined />} loading={busy === 'open'} onClick={() => run('open', api.projectOpenPick)} data-testid="home-open">
              {t('打开项目文件夹（.iovaudit）', 'Open a project folder (.iovaudit)')}
            </Button>
            <Button block size="large" icon={<ExperimentOutlined />} loading={busy === 'demo'} onClick={() => run('demo', api.projectOpenDemo)} data-testid="home-demo">
              {t('打开演示项目', 'Open the demo project')}
            </Button>
            <Button block size="large" icon={<ImportOutlined />} loading={busy === 'import'} onClick={() => setImporting(true)} data-testid="home-import">
              {t('从同事的数据包导入', 'Import a bundle')}
            </Button>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
              {t(
                '项目是一个文件夹：评估数据库、证据库（每个文件以 SHA-256 与 SM3 存证）和导出文件都在其中。本应用完全离线工作。',
                'A project is a folder holding the assessment database, the evidence vault (each file stored under its SHA-256 and SM3) and the exports. The app works fully offline.',
              )}
            </Typography.Paragraph>
          </Space>
        </Card>
        <Card title={t('内置检查清单', 'Built-in checklists')} style={{ marginTop: 16 }} size="small">
          <InstalledPacks />
        </Card>
      </Col>
      <Modal
        open={importing}
        title={t('从同事的数据包导入', 'Import a bundle')}
        onCancel={() => {
          setImporting(false);
          setBundlePw('');
        }}
        onOk={importBundle}
        okText={t('选择数据包…', 'Choose the bundle…')}
        okButtonProps={{ disabled: !bundlePw }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">
          {t(
            '先选择 .iovbundle 文件，再选择新项目所在的文件夹。密码不会被保存。',
            'Choose the .iovbundle file, then the folder for the new project. The password is not stored.',
          )}
        </Typography.Paragraph>
        <Input.Password
          placeholder={t('数据包密码', 'Bundle password')}
          value={bundlePw}
          onChange={(e) => setBundlePw(e.target.value)}
          onPressEnter={() => bundlePw && importBundle()}
          data-testid="import-password"
        />
      </Modal>
    </Row>
  );
}

function InstalledPacks() {
  const { tx } = useT();
  const { library } = useApp();
  return (
    <List
      size="small"
      dataSource={library.packs}
      renderItem={(p) => (
        <List.Item>
          <Typography.Text ellipsis style={{ maxWidth: 330 }} title={tx(p.title)}>
            <Tag>{p.id}</Tag>
            {tx(p.title)}
          </Typography.Text>
        </List.Item>
      )}
    />
  );
}

function Wizard({ info, onCancel, onOpened }: { info: AppInfo; onCancel: () => void; onOpened: (p: ProjectView) => void }) {
  const { t, tx } = useT();
  const { library, reportError } = useApp();
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [assessee, setAssessee] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [kind, setKind] = useState<ProjectKind>('third-party');
  const [parent, setParent] = useState(info.projects_dir);
  const [packs, setPacks] = useState<string[]>(['N134', 'N103', 'GB44495']);
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [creating, setCreating] = useState(false);
  const [creditCode, setCreditCode] = useState('');
  const [client, setClient] = useState('');
  const [reportNumber, setReportNumber] = useState('');
  const [timeZone, setTimeZone] = useState<string | null>(null);

  const questions = useMemo(
    () => questionsFor(library.questions, library.packs.filter((p) => packs.includes(p.id)).map((p) => p.questions)),
    [library, packs],
  );
  const answered = questions.filter((q) => rawAnswer(q, answers[q.id]) !== null).length;

  const step0ok = name.trim() !== '' && assessee.trim() !== '' && parent.trim() !== '';
  const canNext = step === 0 ? step0ok : step === 1 ? packs.length > 0 : true;

  const create = async () => {
    setCreating(true);
    try {
      const raw: [string, string][] = [];
      for (const q of questions) {
        const r = rawAnswer(q, answers[q.id]);
        if (r !== null) raw.push([q.id, r]);
      }
      const info = wizardInfo({ assessee, creditCode, client, reportNumber, timeZone, organisation, kind });
      const p = await api.projectNew({ parent, name, assessee, kind, organisation, packs, answers: raw, info });
      onOpened(p);
    } catch (e) {
      reportError(e);
    } finally {
      setCreating(false);
    }
  };

  return (
    <Card
      title={t('新建评估项目', 'New assessment project')}
      extra={<Button onClick={onCancel}>{t('返回', 'Back')}</Button>}
      data-testid="wizard"
    >
      <Steps
        current={step}
        size="small"
        style={{ marginBottom: 24 }}
        items={[
          { title: t('被评估单位', 'Assessee') },
          { title: t('检查清单', 'Checklists') },
          { title: t('适用性问题', 'Scope') },
          { title: t('确认', 'Confirm') },
        ]}
      />
      {step === 0 && (
        <Form layout="horizontal" labelCol={{ span: 5 }} wrapperCol={{ span: 16 }}>
          <Form.Item label={t('项目名称', 'Project name')} required>
            <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('如：某某汽车 2026 年度车联网网络与数据安全评估', 'e.g. ACME Motors 2026 IoV security assessment')} data-testid="wizard-name" />
          </Form.Item>
          <Form.Item label={t('被评估单位', 'Assessee')} required>
            <Input value={assessee} onChange={(e) => setAssessee(e.target.value)} data-testid="wizard-assessee" />
          </Form.Item>
          <Form.Item label={t('统一社会信用代码', 'Unified social credit code')} extra={t('18 位，由程序核对校验位', '18 characters; the check character is verified')}>
            <Input value={creditCode} onChange={(e) => setCreditCode(e.target.value.toUpperCase())} maxLength={18} className="mono" data-testid="wizard-credit-code" />
          </Form.Item>
          <Form.Item label={t('委托单位', 'Client')}>
            <Input value={client} onChange={(e) => setClient(e.target.value)} placeholder={t('与被评估单位相同时可不填', 'Leave empty when it is the assessee')} data-testid="wizard-client" />
          </Form.Item>
          <Form.Item label={t('报告编号', 'Report number')}>
            <Input value={reportNumber} onChange={(e) => setReportNumber(e.target.value)} className="mono" data-testid="wizard-report-number" />
          </Form.Item>
          <Form.Item label={t('时区', 'Time zone')} extra={t('报告与界面中的时间按此时区显示；不选则用本机时区', 'Times in reports and on screen; empty = this computer’s zone')}>
            <Select
              allowClear
              showSearch
              value={timeZone ?? undefined}
              onChange={(z) => setTimeZone(z ?? null)}
              options={ZONES.map((z) => ({ value: z, label: z }))}
              placeholder="Asia/Shanghai"
              data-testid="wizard-time-zone"
            />
          </Form.Item>
          <Form.Item label={t('评估类型', 'Assessment type')}>
            <Radio.Group value={kind} onChange={(e) => setKind(e.target.value)} data-testid="wizard-kind">
              <Radio value="third-party">{t('第三方评估', 'Third-party assessment')}</Radio>
              <Radio value="self-check">{t('企业自查', 'Self-check')}</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item label={kind === 'third-party' ? t('评估机构', 'Assessing body') : t('自查部门', 'Checking department')}>
            <Input value={organisation} onChange={(e) => setOrganisation(e.target.value)} data-testid="wizard-org" />
          </Form.Item>
          <Form.Item label={t('保存位置', 'Location')} required extra={t('项目将保存为该文件夹下的「项目名称.iovaudit」文件夹', 'The project is saved as “NAME.iovaudit” inside this folder')}>
            <Space.Compact style={{ width: '100%' }}>
              <Input value={parent} onChange={(e) => setParent(e.target.value)} className="mono" data-testid="wizard-parent" />
              <Button
                onClick={async () => {
                  try {
                    const p = await api.pickFolder();
                    if (p) setParent(p);
                  } catch (e) {
                    reportError(e);
                  }
                }}
                data-testid="wizard-pick-parent"
              >
                {t('选择…', 'Choose…')}
              </Button>
            </Space.Compact>
          </Form.Item>
        </Form>
      )}
      {step === 1 && (
        <Checkbox.Group value={packs} onChange={(v) => setPacks(v as string[])} style={{ width: '100%' }}>
          <Space direction="vertical" style={{ width: '100%' }}>
            {library.packs.map((p) => {
              const n = p.sections.reduce((a, s) => a + s.requirements.length, 0);
              const inferred = p.sections.reduce((a, s) => a + s.requirements.filter((r) => r.to_confirm).length, 0);
              return (
                <Checkbox key={p.id} value={p.id}>
                  <Tag color="blue" data-testid={`pack-${p.id}`}>{p.id}</Tag>
                  <b>{tx(p.title)}</b> <Typography.Text type="secondary">{p.doc_number}</Typography.Text>
                  <Typography.Text type="secondary">
                    {' · '}
                    {t(`${n} 项要求`, `${n} requirements`)}
                    {p.status === 'draft' ? t(' · 草案', ' · draft') : ''}
                  </Typography.Text>
                  {inferred > 0 && (
                    <Tag color="warning" style={{ marginLeft: 8 }}>
                      {t(`${inferred} 项待与正式文本核对`, `${inferred} to be confirmed against the official text`)}
                    </Tag>
                  )}
                </Checkbox>
              );
            })}
          </Space>
        </Checkbox.Group>
      )}
      {step === 2 && (
        <div>
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            message={t(
              `这些问题决定哪些要求适用（已答 ${answered}/${questions.length}）。未回答的问题不会排除任何要求；以后可在检查清单中修改。`,
              `These questions decide which requirements apply (${answered}/${questions.length} answered). Unanswered questions rule nothing out; you can change answers later.`,
            )}
          />
          <Form layout="vertical">
            {questions.map((q) => (
              <Form.Item key={q.id} label={tx(q.label)} style={{ marginBottom: 14 }}>
                <QuestionInput q={q} value={answers[q.id]} onChange={(v) => setAnswers({ ...answers, [q.id]: v })} />
              </Form.Item>
            ))}
          </Form>
        </div>
      )}
      {step === 3 && (
        <Descriptions bordered column={1} size="small">
          <Descriptions.Item label={t('项目名称', 'Project name')}>{name}</Descriptions.Item>
          <Descriptions.Item label={t('被评估单位', 'Assessee')}>{assessee}</Descriptions.Item>
          <Descriptions.Item label={t('评估类型', 'Type')}>{kind === 'third-party' ? t('第三方评估', 'Third-party') : t('企业自查', 'Self-check')}</Descriptions.Item>
          <Descriptions.Item label={t('评估机构', 'Organisation')}>{organisation || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('检查清单', 'Checklists')}>{packs.join('、')}</Descriptions.Item>
          <Descriptions.Item label={t('适用性问题', 'Scope')}>{t(`已答 ${answered}/${questions.length}`, `${answered}/${questions.length} answered`)}</Descriptions.Item>
          <Descriptions.Item label={t('保存位置', 'Location')}>
            <span className="mono">{parent}</span>
          </Descriptions.Item>
        </Descriptions>
      )}
      <div style={{ marginTop: 24, display: 'flex', gap: 8, justifyContent: 'flex-end' }}>
        {step > 0 && <Button onClick={() => setStep(step - 1)}>{t('上一步', 'Previous')}</Button>}
        {step < 3 && (
          <Button type="primary" disabled={!canNext} onClick={() => setStep(step + 1)} data-testid="wizard-next">
            {t('下一步', 'Next')}
          </Button>
        )}
        {step === 3 && (
          <Button type="primary" loading={creating} onClick={create} data-testid="wizard-create">
            {t('创建项目', 'Create project')}
          </Button>
        )}
      </div>
    </Card>
  );
}

export function QuestionInput({ q, value, onChange, disabled }: { q: Question; value: Answer | undefined; onChange: (v: Answer) => void; disabled?: boolean }) {
  const { t, tx } = useT();
  if (q.kind === 'bool') {
    return (
      <Radio.Group value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)} disabled={disabled} data-testid={`q-${q.id}`}>
        <Radio value="yes"><span data-testid={`q-${q.id}-yes`}>{t('是', 'Yes')}</span></Radio>
        <Radio value="no"><span data-testid={`q-${q.id}-no`}>{t('否', 'No')}</span></Radio>
        <Radio value="">{t('暂不回答', 'Not answered')}</Radio>
      </Radio.Group>
    );
  }
  if (q.kind === 'choice') {
    return (
      <Radio.Group value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)} disabled={disabled} data-testid={`q-${q.id}`}>
        {(q.options ?? []).map((o) => (
          <Radio key={o.id} value={o.id}>
            <span data-testid={`q-${q.id}-${o.id}`}>{tx(o.label)}</span>
          </Radio>
        ))}
        <Radio value="">{t('暂不回答', 'Not answered')}</Radio>
      </Radio.Group>
    );
  }
  if (q.kind === 'multi') {
    return (
      <Checkbox.Group value={Array.isArray(value) ? value : []} onChange={(v) => onChange(v as string[])} disabled={disabled} data-testid={`q-${q.id}`}>
        <Space direction="vertical" size={2}>
          {(q.options ?? []).map((o) => (
            <Checkbox key={o.id} value={o.id}>
              <span data-testid={`q-${q.id}-${o.id}`}>{tx(o.label)}</span>
            </Checkbox>
          ))}
        </Space>
      </Checkbox.Group>
    );
  }
  return (
    <InputNumber
      min={q.min}
      max={q.max}
      value={typeof value === 'number' ? value : null}
      onChange={(v) => onChange(typeof v === 'number' ? v : null)}
      disabled={disabled}
      data-testid={`q-${q.id}`}
    />
  );
}

/** The key project information the wizard asks for, or null when none was given. */
export function wizardInfo(w: {
  assessee: string;
  creditCode: string;
  client: string;
  reportNumber: string;
  timeZone: string | null;
  organisation: string;
  kind: ProjectKind;
}): Info | null {
  const info = emptyInfo();
  info.assessee.name = w.assessee.trim();
  info.assessee.credit_code = w.creditCode.trim();
  info.client.name = w.client.trim();
  info.report_number = w.reportNumber.trim();
  info.time_zone = w.timeZone || null;
  if (w.kind === 'third-party') info.assessor_org.name = w.organisation.trim();
  const given = info.assessee.credit_code || info.client.name || info.report_number || info.time_zone;
  return given ? info : null;
}
