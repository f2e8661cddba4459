// 审核与导出: review state and readiness, submit/approve/reopen, journal
// check; then the signed PDF report and the filing package, written into
// the project's exports/ folder (signed with the key chosen when the
// identity's file holds several); the earlier exports of the project; and
// an HTML preview of the report.
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, Descriptions, Empty, Input, Radio, Result, Row, Segmented, Space, Tag, Typography } from 'antd';
import {
  CheckCircleFilled,
  CloseCircleFilled,
  EyeOutlined,
  FilePdfOutlined,
  FileWordOutlined,
  FileZipOutlined,
  FolderOpenOutlined,
  SafetyCertificateOutlined,
  WarningFilled,
} from '@ant-design/icons';
import { api, type Readiness, type ExportFile, type ExportResult, type Finding, type IdentityInfo, type JournalCheck, type Lang, type TemplateInfo } from '../api';
import { KeyLabel } from '../components/KeyLabel';
import { formatSize, useT } from '../i18n';
import { isFrozen, useProject } from '../store';
import { Hash } from './evidence/Hash';
import { shortTime } from './workspace/bits';
import { ShadowHtml } from './export/ShadowHtml';

const STATE: Record<string, { color: string; zh: string; en: string }> = {
  draft: { color: 'blue', zh: '草稿', en: 'Draft' },
  in_review: { color: 'orange', zh: '审核中', en: 'In review' },
  approved: { color: 'green', zh: '已批准', en: 'Approved' },
};

type Level = 'ok' | 'warn' | 'bad';
interface Ready {
  key: string;
  level: Level;
  text: string;
}

const DEFAULT_TEMPLATE = '\u0000default';

const KIND_COLOR: Record<string, string> = { report: 'blue', package: 'purple', calendar: 'cyan', workbook: 'green', json: 'gold', document: 'geekblue' };

/** An RFC 3339 time as local `YYYY-MM-DD HH:MM`. */
function localTime(s: string | null): string {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function Export() {
  const { project, statuses, scores, refresh, reportError, settings } = useProject();
  const { t, tx } = useT();
  const { modal } = App.useApp();
  const meta = project.meta;
  const approved = isFrozen(project);

  const [busy, setBusy] = useState<string | null>(null);
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [journal, setJournal] = useState<JournalCheck | null>(null);
  const [identities, setIdentities] = useState<IdentityInfo[] | null>(null);
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [identity, setIdentity] = useState<string>('');
  const [password, setPassword] = useState('');
  const [template, setTemplate] = useState<string>(DEFAULT_TEMPLATE);
  const [lang, setLang] = useState<Lang>(settings.lang);
  const [withEvidence, setWithEvidence] = useState(true);
  const [results, setResults] = useState<{ kind: 'report' | 'package' | 'document'; r: ExportResult }[]>([]);
  const [previewHtml, setPreviewHtml] = useState<string | null>(null);
  /** The key chosen for an identity whose file holds several (selector). */
  const [key, setKey] = useState<string | null>(null);
  const [earlier, setEarlier] = useState<ExportFile[] | null>(null);
  const [earlierTick, setEarlierTick] = useState(0);

  const chosen = identities?.find((i) => i.name === identity) ?? null;
  const keys = chosen?.keys ?? [];
  // A new identity starts from its own default key.
  useEffect(() => setKey(chosen?.key_alias ?? null), [chosen?.name, chosen?.key_alias]);
  // The core's readiness: verdicts without linked evidence (a warning, or a
  // refusal at approval when the project requires evidence).
  const [readiness, setReadiness] = useState<Readiness | null>(null);
  useEffect(() => {
    let live = true;
    api
      .readiness()
      .then((r) => live && setReadiness(r))
      .catch(reportError);
    return () => {
      live = false;
    };
  }, [statuses, reportError]);
  const evidenceBlocks = readiness ? readiness.readiness.without_evidence.some((w) => w.blocks) : false;

  useEffect(() => {
    let live = true;
    api
      .exportsList()
      .then((v) => live && setEarlier(v))
      .catch((e) => {
        if (!live) return;
        reportError(e);
        setEarlier([]);
      });
    return () => {
      live = false;
    };
  }, [reportError, earlierTick, meta.revision]);

  useEffect(() => {
    (async () => {
      try {
        const [ids, tpls] = await Promise.all([api.identities(), api.templates()]);
        setIdentities(ids);
        setTemplates(tpls);
        setIdentity((cur) => (cur && ids.some((i) => i.name === cur) ? cur : (ids[0]?.name ?? '')));
      } catch (e) {
        reportError(e);
        setIdentities((v) => v ?? []);
      }
    })();
  }, [reportError]);

  // Findings change the readiness list; reload when their count changes.
  useEffect(() => {
    api
      .findings()
      .then(setFindings)
      .catch((e) => {
        reportError(e);
        setFindings([]);
      });
  }, [reportError, project.finding_count, meta.state, meta.revision]);

  const ready = useMemo<Ready[]>(() => {
    const o = scores.overall;
    const open = statuses.filter((s) => s.applicability.status === 'open').length;
    const items: Ready[] = [];
    items.push(
      open === 0
        ? { key: 'scope', level: 'ok', text: t('适用范围问题均已回答', 'Every scope question that matters is answered') }
        : { key: 'scope', level: 'bad', text: t(`${open} 项要求因适用范围问题未回答而无法确定是否适用`, `${open} requirements depend on unanswered scope questions`) },
    );
    items.push(
      o.unassessed === 0
        ? { key: 'judged', level: 'ok', text: t(`全部 ${o.applicable} 项适用要求均已判定`, `All ${o.applicable} applicable requirements judged`) }
        : { key: 'judged', level: 'bad', text: t(`还有 ${o.unassessed} 项适用要求未判定（已判定 ${o.judged} / ${o.applicable}）`, `${o.unassessed} applicable requirements not yet judged (${o.judged} / ${o.applicable} judged)`) },
    );
    items.push(
      o.inferred_pending === 0
        ? { key: 'inferred', level: 'ok', text: t('没有待确认的推断结论', 'No inferred verdicts awaiting confirmation') }
        : { key: 'inferred', level: 'bad', text: t(`${o.inferred_pending} 项由映射推断的结论待人工确认（未确认不能提交审核）`, `${o.inferred_pending} inferred verdicts await confirmation (they block submission)`) },
    );
    if (findings) {
      const openF = findings.filter((f) => f.status === 'open').length;
      items.push(
        openF === 0
          ? { key: 'findings', level: 'ok', text: t('没有待整改项', 'No open findings') }
          : { key: 'findings', level: 'warn', text: t(`${openF} 个整改项尚未整改（将列入报告）`, `${openF} findings still open (they are listed in the report)`) },
      );
    }
    const veto = scores.packs.flatMap((p) => p.veto_failed);
    if (veto.length > 0) {
      items.push({ key: 'veto', level: 'warn', text: t(`否决项不符合：${veto.join('、')}（结论为最低档）`, `Veto requirements failed: ${veto.join(', ')} (lowest band)`) });
    }
    items.push(
      scores.complete
        ? { key: 'complete', level: 'ok', text: t('评分完整', 'Scores are complete') }
        : { key: 'complete', level: 'warn', text: t('评分尚不完整，结论为暂定', 'Scores are incomplete; the conclusion is provisional') },
    );
    return items;
  }, [scores, statuses, findings, t]);
  const blocking = ready.some((r) => r.level === 'bad');

  const run = async (key: string, f: () => Promise<unknown>) => {
    setBusy(key);
    try {
      await f();
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(null);
    }
  };

  const submit = () =>
    run('submit', async () => {
      await api.reviewSubmit();
      await refresh();
    });
  const approve = () =>
    modal.confirm({
      title: t('批准并冻结项目？', 'Approve and freeze the project?'),
      content: t(
        '批准后项目将被冻结：不能再修改结论、证据或整改项，并记录快照哈希（签名报告中包含该哈希）。如需修改，只能重新打开为新的修订版本。',
        'Approval freezes the project: verdicts, evidence and findings can no longer change, and a snapshot hash (carried into the signed report) is recorded. Changes afterwards need a reopen, which starts a new revision.',
      ),
      okText: t('批准并冻结', 'Approve and freeze'),
      cancelText: t('取消', 'Cancel'),
      okButtonProps: { 'data-testid': 'review-approve-ok' },
      onOk: () =>
        run('approve', async () => {
          await api.reviewApprove();
          await refresh();
        }),
    });
  const reopen = () =>
    modal.confirm({
      title: t('重新打开项目？', 'Reopen the project?'),
      content: t(
        `项目将回到草稿状态并成为第 ${meta.revision + 1} 版；已导出的报告仍对应第 ${meta.revision} 版。`,
        `The project returns to draft as revision ${meta.revision + 1}; reports already exported stay tied to revision ${meta.revision}.`,
      ),
      okText: t('重新打开', 'Reopen'),
      cancelText: t('取消', 'Cancel'),
      okButtonProps: { 'data-testid': 'review-reopen-ok' },
      onOk: () =>
        run('reopen', async () => {
          await api.reviewReopen();
          setResults([]);
          await refresh();
        }),
    });
  const verifyJournal = () => run('journal', async () => setJournal(await api.journalVerify()));

  const req = () => ({ identity, password, template: template === DEFAULT_TEMPLATE ? null : template, lang, key: keys.length > 1 ? key : null });
  const exportReport = () =>
    run('report', async () => {
      try {
        const r = await api.exportReport(req());
        setResults((rs) => [{ kind: 'report' as const, r }, ...rs]);
      } finally {
        setEarlierTick((n) => n + 1);
      }
    });
  const exportDocx = () =>
    run('docx', async () => {
      try {
        const r = await api.reportDocx(template === DEFAULT_TEMPLATE ? null : template, lang);
        setResults((rs) => [{ kind: 'document' as const, r }, ...rs]);
      } finally {
        setEarlierTick((n) => n + 1);
      }
    });
  const exportPackage = () =>
    run('package', async () => {
      try {
        const r = await api.exportPackage({ ...req(), with_evidence: withEvidence });
        setResults((rs) => [{ kind: 'package' as const, r }, ...rs]);
      } finally {
        setEarlierTick((n) => n + 1);
      }
    });
  const loadPreview = () => run('preview', async () => setPreviewHtml(await api.reportPreview(template === DEFAULT_TEMPLATE ? null : template, lang)));
  const reveal = () => run('reveal', () => api.revealExports());

  const st = STATE[meta.state] ?? STATE.draft;
  const noIdentity = identities !== null && identities.length === 0;
  const canExport = approved && identity !== '' && password !== '' && busy === null && (keys.length <= 1 || !!key);
  const why: string[] = [];
  if (!approved) why.push(t('项目尚未批准：只有已批准（冻结）的项目才能导出签名报告和备案包。', 'The project is not approved: only an approved (frozen) project can be exported as a signed report or a filing package.'));
  if (noIdentity) why.push(t('还没有签名身份。', 'There is no signing identity yet.'));
  else if (!identity) why.push(t('请选择签名身份。', 'Choose a signing identity.'));
  if (password === '') why.push(t('请输入签名身份的密码。', 'Enter the identity’s password.'));
  if (keys.length > 1 && !key) why.push(t('请选择用于签名的密钥。', 'Choose the key to sign with.'));

  const tplOptions = [
    { value: DEFAULT_TEMPLATE, label: t('默认模板', 'Default template'), desc: t('内置', 'built-in') },
    ...templates.filter((x) => !(x.builtin && x.name === 'default')).map((x) => ({ value: x.name, label: x.name, desc: tx(x.description) })),
  ];

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Row gutter={12}>
        <Col span={12}>
          <Card size="small" title={t('审核', 'Review')} style={{ height: '100%' }}>
            <Descriptions
              size="small"
              column={1}
              data-testid="review-state"
              items={[
                {
                  key: 'state',
                  label: t('状态', 'State'),
                  children: (
                    <Tag color={st.color} data-testid="review-state-tag">
                      {t(st.zh, st.en)}
                    </Tag>
                  ),
                },
                { key: 'rev', label: t('修订版本', 'Revision'), children: <span data-testid="review-revision">{meta.revision}</span> },
                { key: 'by', label: t('最近状态变更', 'Last state change'), children: meta.state_by || meta.state_at ? `${meta.state_by ?? '—'} · ${meta.state_at ? shortTime(meta.state_at) : '—'}` : '—' },
                {
                  key: 'snap',
                  label: t('快照哈希', 'Snapshot hash'),
                  children: meta.snapshot_hash ? <Hash value={meta.snapshot_hash} keep={24} /> : <Typography.Text type="secondary">{t('批准时生成', 'set on approval')}</Typography.Text>,
                },
              ]}
            />
            <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>
              {t('就绪检查', 'Readiness')}
            </Typography.Text>
            <ul style={{ listStyle: 'none', padding: 0, margin: '4px 0 12px' }} data-testid="review-readiness">
              {ready.map((r) => (
                <li key={r.key} data-testid={`ready-${r.key}`} data-level={r.level} style={{ padding: '2px 0' }}>
                  {r.level === 'ok' ? <CheckCircleFilled style={{ color: '#389e0d' }} /> : r.level === 'warn' ? <WarningFilled style={{ color: '#d48806' }} /> : <CloseCircleFilled style={{ color: '#cf1322' }} />} {r.text}
                </li>
              ))}
              {readiness?.messages.map((m, i) => (
                <li key={`ev-${i}`} data-testid={`ready-evidence-${i}`} data-level={evidenceBlocks && i === readiness.messages.length - 1 ? 'err' : 'warn'} style={{ padding: '2px 0' }}>
                  {evidenceBlocks && i === readiness.messages.length - 1 ? <CloseCircleFilled style={{ color: '#cf1322' }} /> : <WarningFilled style={{ color: '#d48806' }} />} {tx(m)}
                </li>
              ))}
            </ul>
            <Space wrap>
              {meta.state === 'draft' && (
                <Button type="primary" loading={busy === 'submit'} disabled={busy !== null} onClick={submit} data-testid="review-submit">
                  {t('提交审核', 'Submit for review')}
                </Button>
              )}
              {meta.state === 'in_review' && (
                <Button type="primary" loading={busy === 'approve'} disabled={busy !== null} onClick={approve} data-testid="review-approve">
                  {t('批准…', 'Approve…')}
                </Button>
              )}
              {meta.state === 'approved' && (
                <Button loading={busy === 'reopen'} disabled={busy !== null} onClick={reopen} data-testid="review-reopen">
                  {t('重新打开（新修订版）…', 'Reopen (new revision)…')}
                </Button>
              )}
              <Button icon={<SafetyCertificateOutlined />} loading={busy === 'journal'} disabled={busy !== null} onClick={verifyJournal} data-testid="journal-verify">
                {t('校验变更日志', 'Check the change journal')}
              </Button>
            </Space>
            {meta.state === 'draft' && blocking && (
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8, marginBottom: 0 }}>
                {t('存在未满足的就绪项时，提交可能被拒绝。', 'Submission may be refused while readiness items are unmet.')}
              </Typography.Paragraph>
            )}
            {journal && <JournalResult j={journal} />}
          </Card>
        </Col>

        <Col span={12}>
          <Card size="small" title={t('导出', 'Export')} style={{ height: '100%' }}>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t(
                '导出的文件写入项目文件夹中的 exports/ 目录：PDF 报告以 PAdES 签名；备案包（zip）含清单 manifest.json（每个文件的 SHA-256 与 SM3）及其 CMS 签名。',
                'Exports are written into the project’s exports/ folder: the PDF report is PAdES-signed; the filing package (zip) holds manifest.json (SHA-256 and SM3 of every file) and its CMS signature.',
              )}
            </Typography.Paragraph>
            {!approved && (
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 8 }}
                data-testid="export-not-approved"
                title={t('只有已批准的项目才能导出', 'Only an approved project can be exported')}
                description={t(
                  `当前状态为“${st.zh}”。请先提交审核并批准；批准会冻结项目并记录快照哈希，签名报告以此为准。`,
                  `The project is “${st.en}”. Submit it for review and approve it first; approval freezes it and records the snapshot hash the signed report rests on.`,
                )}
              />
            )}
            <Space orientation="vertical" size={8} style={{ width: '100%' }}>
              <div>
                <Typography.Text strong>{t('签名身份', 'Signing identity')}</Typography.Text>
                {noIdentity ? (
                  <Alert
                    type="info"
                    showIcon
                    data-testid="export-no-identity"
                    style={{ marginTop: 4 }}
                    title={
                      <span>
                        {t('还没有签名身份：请到左侧菜单 ', 'No signing identity yet: go to ')}
                        <Typography.Link strong>{t('设置', 'Settings')}</Typography.Link>
                        {t(' → 签名身份，创建本地 CA 或导入 .p12。', ' → Signing identities in the side menu to create a local CA or import a .p12.')}
                      </span>
                    }
                  />
                ) : (
                  <Radio.Group name="export-identity" value={identity} onChange={(e) => setIdentity(e.target.value)} data-testid="export-identity" style={{ display: 'flex', flexDirection: 'column', gap: 4, marginTop: 4 }}>
                    {(identities ?? []).map((i) => (
                      <Radio key={i.name} value={i.name} data-testid={`export-identity-${i.name}`}>
                        {i.name}{' '}
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {i.organisation} · {i.key}
                          {i.has_sm2 ? ' · SM2' : ''}
                        </Typography.Text>
                      </Radio>
                    ))}
                  </Radio.Group>
                )}
              </div>
              {keys.length > 1 && (
                <div data-testid="export-keys">
                  <Typography.Text strong>{t('签名密钥', 'Signing key')}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 6 }}>
                    {t(`该身份的文件含 ${keys.length} 个密钥`, `the identity’s file holds ${keys.length} keys`)}
                  </Typography.Text>
                  <Radio.Group name="export-key" value={key} onChange={(e) => setKey(e.target.value)} style={{ display: 'flex', flexDirection: 'column', gap: 4, marginTop: 4 }}>
                    {keys.map((k) => (
                      <Radio key={k.index} value={k.selector} disabled={!!k.problem || !k.selector} data-testid={`export-key-${k.index}`}>
                        <KeyLabel k={k} />
                      </Radio>
                    ))}
                  </Radio.Group>
                </div>
              )}
              <div>
                <Typography.Text strong>{t('身份密码', 'Identity password')}</Typography.Text>
                <Input.Password value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" data-testid="export-password" style={{ marginTop: 4 }} />
              </div>
              <div>
                <Typography.Text strong>{t('报告模板', 'Report template')}</Typography.Text>
                <Radio.Group name="export-template" value={template} onChange={(e) => setTemplate(e.target.value)} data-testid="export-template" style={{ display: 'flex', flexWrap: 'wrap', gap: 4, marginTop: 4 }}>
                  {tplOptions.map((o) => (
                    <Radio key={o.value} value={o.value} title={o.desc} data-testid={`export-template-${o.value === DEFAULT_TEMPLATE ? 'default' : o.value}`}>
                      {o.label}
                    </Radio>
                  ))}
                </Radio.Group>
              </div>
              <Space wrap>
                <Typography.Text strong>{t('报告语言', 'Report language')}</Typography.Text>
                <Segmented
                  value={lang}
                  onChange={(v) => setLang(v as Lang)}
                  data-testid="export-lang"
                  options={[
                    { label: '中文', value: 'zh' },
                    { label: 'English', value: 'en' },
                  ]}
                />
                <Checkbox checked={withEvidence} onChange={(e) => setWithEvidence(e.target.checked)} data-testid="export-with-evidence">
                  {t('备案包含证据文件', 'Include evidence files in the package')}
                </Checkbox>
              </Space>
              {why.length > 0 && (
                <ul style={{ margin: 0, paddingInlineStart: 18, color: '#8c8c8c', fontSize: 12 }} data-testid="export-why">
                  {why.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              )}
              <Space wrap>
                <Button type="primary" icon={<FilePdfOutlined />} loading={busy === 'report'} disabled={!canExport} onClick={exportReport} data-testid="export-report">
                  {t('导出签名报告（PDF）', 'Export signed report (PDF)')}
                </Button>
                <Button type="primary" icon={<FileZipOutlined />} loading={busy === 'package'} disabled={!canExport} onClick={exportPackage} data-testid="export-package">
                  {t('导出备案包（zip）', 'Export filing package (zip)')}
                </Button>
                <Button icon={<FileWordOutlined />} loading={busy === 'docx'} disabled={busy !== null} onClick={exportDocx} data-testid="export-docx">
                  {t('导出可编辑报告（Word，非签署件）', 'Export editable report (Word, not the signed copy)')}
                </Button>
              </Space>
            </Space>
          </Card>
        </Col>
      </Row>

      {results.length > 0 && (
        <Card
          size="small"
          title={t('已导出的文件', 'Exported files')}
          data-testid="export-result"
          extra={
            <Button icon={<FolderOpenOutlined />} loading={busy === 'reveal'} disabled={busy !== null && busy !== 'reveal'} onClick={reveal} data-testid="export-reveal">
              {t('打开 exports 文件夹', 'Open the exports folder')}
            </Button>
          }
        >
          {results.map(({ kind, r }, i) => (
            <div key={`${r.path}-${i}`} data-testid="export-result-item" style={{ padding: '6px 0', borderTop: i ? '1px solid #f0f0f0' : undefined }}>
              <Space size={6} wrap>
                <Tag color={KIND_COLOR[kind]}>{kind === 'report' ? t('签名报告', 'Signed report') : kind === 'document' ? t('可编辑报告（Word）', 'Editable report (Word)') : t('备案包', 'Filing package')}</Tag>
                <Typography.Text className="mono" copyable={{ text: r.path }}>
                  {r.path}
                </Typography.Text>
              </Space>
              <div style={{ fontSize: 12, color: '#595959', marginTop: 2 }}>
                {formatSize(r.size)}
                {r.pages !== null ? ` · ${t(`${r.pages} 页`, `${r.pages} pages`)}` : ''} · SHA-256{' '}
                <Typography.Text className="mono" copyable={{ text: r.sha256 }}>
                  {r.sha256}
                </Typography.Text>
              </div>
            </div>
          ))}
        </Card>
      )}

      <Card
        size="small"
        title={t('本项目已导出的文件（exports/）', 'Earlier exports of this project (exports/)')}
        data-testid="exports-earlier"
        extra={
          <Button size="small" icon={<FolderOpenOutlined />} loading={busy === 'reveal'} disabled={busy !== null && busy !== 'reveal'} onClick={reveal} data-testid="exports-reveal">
            {t('打开文件夹', 'Open the folder')}
          </Button>
        }
      >
        {earlier === null ? (
          <Typography.Text type="secondary">{t('加载中…', 'Loading…')}</Typography.Text>
        ) : earlier.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('尚无导出的文件', 'Nothing exported yet')} />
        ) : (
          <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }} data-testid="exports-list">
            <thead>
              <tr style={{ textAlign: 'left', color: '#8c8c8c', fontSize: 12 }}>
                <th style={{ fontWeight: 400, padding: '2px 6px' }}>{t('文件', 'File')}</th>
                <th style={{ fontWeight: 400, padding: '2px 6px' }}>{t('类型', 'Kind')}</th>
                <th style={{ fontWeight: 400, padding: '2px 6px', textAlign: 'right' }}>{t('大小', 'Size')}</th>
                <th style={{ fontWeight: 400, padding: '2px 6px' }}>{t('时间', 'Time')}</th>
              </tr>
            </thead>
            <tbody>
              {earlier.map((f) => (
                <tr key={f.name} data-testid="exports-item" data-kind={f.kind} style={{ borderTop: '1px solid #f0f0f0' }}>
                  <td style={{ padding: '3px 6px' }} className="mono">
                    {f.name}
                  </td>
                  <td style={{ padding: '3px 6px' }}>
                    <Tag color={KIND_COLOR[f.kind] ?? 'default'} style={{ marginInlineEnd: 0 }}>
                      {tx(f.kind_label)}
                    </Tag>
                  </td>
                  <td style={{ padding: '3px 6px', textAlign: 'right', whiteSpace: 'nowrap' }}>{formatSize(f.size)}</td>
                  <td style={{ padding: '3px 6px', whiteSpace: 'nowrap' }}>{localTime(f.modified)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>

      <Card
        size="small"
        title={t('报告预览', 'Report preview')}
        extra={
          <Button icon={<EyeOutlined />} loading={busy === 'preview'} disabled={busy !== null && busy !== 'preview'} onClick={loadPreview} data-testid="report-preview-load">
            {previewHtml === null ? t('生成预览', 'Render preview') : t('刷新预览', 'Refresh preview')}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('预览按所选模板和语言生成，是生成 PDF 所用的 HTML；分页与字体以导出的 PDF 为准。', 'The preview is the HTML the PDF is rendered from, with the chosen template and language; pagination and fonts follow the exported PDF.')}
        </Typography.Paragraph>
        {previewHtml === null ? <Empty description={t('尚未生成预览', 'No preview yet')} /> : <ShadowHtml html={previewHtml} testid="report-preview" height={600} />}
      </Card>
    </Space>
  );
}

function JournalResult({ j }: { j: JournalCheck }) {
  const { t } = useT();
  const ok = j.breaks.length === 0;
  return (
    <div data-testid="journal-result" data-ok={ok ? 'true' : 'false'} style={{ marginTop: 12 }}>
      <Result
        status={ok ? 'success' : 'error'}
        style={{ padding: 8 }}
        title={<span style={{ fontSize: 16 }}>{ok ? t('变更日志完整', 'The change journal is intact') : t('变更日志有断裂', 'The change journal is broken')}</span>}
        subTitle={
          <span>
            {t(`共 ${j.entries} 条记录`, `${j.entries} entries`)}
            {j.head && (
              <>
                {' · '}
                {t('链头', 'head')} <Hash value={j.head} keep={16} />
              </>
            )}
          </span>
        }
      />
      {!ok && (
        <ul style={{ margin: 0, paddingInlineStart: 20, maxHeight: 180, overflow: 'auto' }}>
          {j.breaks.map((b) => (
            <li key={`${b.seq}-${b.kind}`} data-testid="journal-break">
              <Typography.Text type="danger">
                #{b.seq} {b.kind}
              </Typography.Text>{' '}
              {b.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
