// The upper, scrolling part of the detail pane: what the requirement says,
// what evidence is expected, how it is tested, whether it applies, the
// linked evidence, its findings and the requirements mapped to it.
import { Button, Popconfirm, Space, Tag, Tooltip, Typography } from 'antd';
import { DisconnectOutlined, PaperClipOutlined, PlusOutlined } from '@ant-design/icons';
import type { Finding, Library, RequirementDetail } from '../../api';
import { OBLIGATIONS, formatSize, provenanceMark, useT } from '../../i18n';
import { FindingStatusTag, SeverityTag, VerdictTag, useAnswerText } from './bits';

const h: React.CSSProperties = { fontSize: 13, fontWeight: 600, color: '#262626', margin: '16px 0 6px' };

const PROVENANCE: Record<string, [string, string]> = {
  text: ['依据正式文本', 'from the official text'],
  secondary: ['依据二手资料', 'from secondary sources'],
  inferred: ['推定内容', 'inferred'],
  fulltext: ['依据非官方全文', 'from an unofficial full text'],
};

export function Detail({
  detail,
  library,
  busy,
  frozen,
  known,
  onUnlink,
  onAddEvidence,
  onAddFinding,
  onEditFinding,
  onJump,
}: {
  detail: RequirementDetail;
  library: Library;
  busy: boolean;
  frozen: boolean;
  /** Whether a requirement id is in this project (to jump to it). */
  known: (id: string) => boolean;
  onUnlink: (evidence: number) => void;
  onAddEvidence: () => void;
  onAddFinding: () => void;
  onEditFinding: (f: Finding) => void;
  onJump: (id: string) => void;
}) {
  const { lang, t, tx } = useT();
  const answerText = useAnswerText(library);
  const { pack, section, requirement: r, status, evidence, findings, mappings, condition_answers } = detail;
  const expected = (r.evidence[lang]?.length ? r.evidence[lang] : r.evidence.zh) ?? [];
  const app = status.applicability;
  const prov = PROVENANCE[r.provenance];

  return (
    <div style={{ padding: '12px 16px 16px' }} data-testid="detail-pane">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {pack.doc_number} {tx(pack.title)} · {section.clause} {tx(section.title)}
      </Typography.Text>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 8, marginTop: 4, flexWrap: 'wrap' }}>
        <span className="mono" style={{ fontSize: 14, fontWeight: 600 }} data-testid="detail-id">
          {r.id}
        </span>
        <Typography.Text type="secondary">{r.clause}</Typography.Text>
        <Typography.Title level={5} style={{ margin: 0 }} data-testid="detail-title">
          {tx(r.title)}
        </Typography.Title>
        <VerdictTag code={status.verdict} testid="detail-verdict" />
      </div>
      <Space size={4} wrap style={{ marginTop: 6 }}>
        <Tag>{tx(OBLIGATIONS[r.obligation])}</Tag>
        <Tag>
          {t('权重', 'Weight')} {r.weight}
        </Tag>
        {r.veto && (
          <Tag color="red" data-testid="detail-veto">
            {t('一票否决', 'Veto')}
          </Tag>
        )}
        {r.methods.length > 0 && (
          <Tag>
            {r.methods
              .map((m) => (m === 'examine' ? t('查阅', 'examine') : m === 'interview' ? t('访谈', 'interview') : t('测试', 'test')))
              .join(' / ')}
          </Tag>
        )}
        {prov && r.provenance !== 'text' && <Tag color="gold">{t(prov[0], prov[1])}</Tag>}
      </Space>
      {r.to_confirm && provenanceMark(r.provenance) && (
        <div
          data-testid="to-confirm-mark"
          style={{ marginTop: 8, padding: '6px 10px', background: '#fffbe6', border: '1px solid #ffe58f', borderRadius: 4, color: '#ad6800' }}
        >
          <strong>{tx(provenanceMark(r.provenance))}</strong>
          {r.provenance_note && <div style={{ fontSize: 12, marginTop: 2 }}>{r.provenance_note}</div>}
        </div>
      )}
      <Typography.Paragraph style={{ marginTop: 10, marginBottom: 0, whiteSpace: 'pre-wrap', lineHeight: 1.7 }} data-testid="detail-text">
        {tx(r.text)}
      </Typography.Paragraph>

      <div style={h}>{t('适用性', 'Applicability')}</div>
      <div data-testid="detail-applicability">
        {app.status === 'applicable' && <Typography.Text>{t('适用', 'Applicable')}</Typography.Text>}
        {app.status === 'not_applicable' && (
          <Typography.Text type="secondary">
            {t('不适用：', 'Not applicable: ')}
            {tx(app.reason)}
          </Typography.Text>
        )}
        {app.status === 'open' && (
          <Typography.Text type="warning">
            {t('待确定：适用范围问题尚未回答（在项目范围设置中回答）', 'Undetermined: scope questions are unanswered (answer them in the project scope)')}
            {app.questions.filter((q) => !condition_answers.some((c) => c.question === q)).length > 0 && (
              <>
                {t('：', ': ')}
                {app.questions
                  .filter((q) => !condition_answers.some((c) => c.question === q))
                  .map((q) => tx(library.questions.find((x) => x.id === q)?.label) || q)
                  .join(t('；', '; '))}
              </>
            )}
          </Typography.Text>
        )}
        {status.verdict === 'na' && app.status !== 'not_applicable' && status.recorded?.note && (
          <div>
            <Typography.Text type="secondary">
              {t('判为不适用的理由：', 'Reason given for N/A: ')}
              {status.recorded.note}
            </Typography.Text>
          </div>
        )}
        {condition_answers.length > 0 && (
          <ul style={{ margin: '4px 0 0', paddingInlineStart: 20, fontSize: 13 }}>
            {condition_answers.map((c) => (
              <li key={c.question}>
                {tx(c.label)}{t('：', ': ')}
                <Typography.Text type={c.answer === null ? 'warning' : undefined} strong>
                  {answerText(c.question, c.answer)}
                </Typography.Text>
              </li>
            ))}
          </ul>
        )}
        {r.when && (
          <Typography.Text type="secondary" className="mono" style={{ display: 'block', marginTop: 2 }}>
            {t('条件', 'Condition')}: {r.when}
          </Typography.Text>
        )}
      </div>

      <div style={h}>{t('应提供的证据', 'Expected evidence')}</div>
      {expected.length ? (
        <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="detail-expected">
          {expected.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      ) : (
        <Typography.Text type="secondary">{t('未列明', 'None listed')}</Typography.Text>
      )}

      {r.test && (
        <>
          <div style={h}>
            {t('测试方法', 'Test method')} <Typography.Text type="secondary">{r.test.clause}</Typography.Text>
          </div>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid="detail-test">
            {tx(r.test.text)}
          </Typography.Paragraph>
        </>
      )}
      {detail.values && detail.values.length > 0 ? (
        <div style={{ marginTop: 6 }} data-testid="detail-values">
          {detail.values.map((v, i) => (
            <div key={i} style={{ fontSize: 13, marginBottom: 2 }}>
              <Tag color={v.kind === 'deadline' ? 'blue' : undefined}>{v.kind === 'deadline' ? t('期限', 'Deadline') : t('参数', 'Parameter')}</Tag>
              <span className={v.kind === 'param' ? 'mono' : undefined}>{tx(v.text)}</span>
              {v.basis && (
                <div style={{ fontSize: 12, color: '#8c8c8c', marginLeft: 8 }} data-testid="value-basis">
                  {t('取值依据：', 'Basis: ')}
                  {tx(v.basis)}
                </div>
              )}
            </div>
          ))}
        </div>
      ) : (
        r.params.length > 0 && (
          <div style={{ marginTop: 6 }}>
            {r.params.map((p) => (
              <Tag key={p.key} className="mono">
                {p.key} {p.op} {p.value}
                {p.unit}
              </Tag>
            ))}
          </div>
        )
      )}

      <div style={{ ...h, display: 'flex', alignItems: 'center' }}>
        <span style={{ flex: 1 }}>
          {t('已关联证据', 'Linked evidence')} ({evidence.length})
        </span>
        <Button size="small" icon={<PaperClipOutlined />} onClick={onAddEvidence} disabled={frozen || busy} data-testid="req-add-evidence">
          {t('添加证据文件', 'Add evidence files')}
        </Button>
      </div>
      {evidence.length ? (
        <div data-testid="detail-evidence">
          {evidence.map((e) => (
            <div key={e.id} style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '4px 0', borderBottom: '1px dashed #f0f0f0' }}>
              <div style={{ flex: 1, minWidth: 0 }}>
                <div style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                  <Typography.Text type="secondary">#{e.id}</Typography.Text> {e.title || e.original_name}
                  {e.revision > 1 && <Tag style={{ marginInlineStart: 6 }}>R{e.revision}</Tag>}
                </div>
                <div style={{ fontSize: 12, color: '#8c8c8c', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                  {e.original_name} · {formatSize(e.size)} ·{' '}
                  <Tooltip title={<span className="mono">SHA-256 {e.sha256}</span>}>
                    <span className="mono">{e.sha256.slice(0, 12)}…</span>
                  </Tooltip>
                </div>
              </div>
              <Popconfirm
                title={t('取消该证据与本要求的关联？证据文件仍保留在证据库中。', 'Unlink this evidence? The file stays in the vault.')}
                onConfirm={() => onUnlink(e.id)}
                okButtonProps={{ 'data-testid': 'unlink-ok' } as React.ComponentProps<typeof Button>}
                disabled={frozen || busy}
              >
                <Button size="small" type="text" icon={<DisconnectOutlined />} disabled={frozen || busy} data-testid={'unlink-' + e.id}>
                  {t('取消关联', 'Unlink')}
                </Button>
              </Popconfirm>
            </div>
          ))}
        </div>
      ) : (
        <Typography.Text type="secondary">{t('尚无证据；也可以把文件拖入窗口', 'No evidence yet; you can also drop files on the window')}</Typography.Text>
      )}

      <div style={{ ...h, display: 'flex', alignItems: 'center' }}>
        <span style={{ flex: 1 }}>
          {t('整改项', 'Findings')} ({findings.length})
        </span>
        <Button size="small" icon={<PlusOutlined />} onClick={onAddFinding} disabled={frozen || busy} data-testid="req-add-finding">
          {t('新建整改项', 'New finding')}
        </Button>
      </div>
      {findings.length ? (
        <div data-testid="detail-findings">
          {findings.map((f) => (
            <div
              key={f.id}
              style={{ display: 'flex', alignItems: 'center', gap: 6, padding: '4px 0', borderBottom: '1px dashed #f0f0f0', cursor: 'pointer' }}
              onClick={() => onEditFinding(f)}
              data-testid={'detail-finding-' + f.id}
            >
              <Typography.Text type="secondary">#{f.id}</Typography.Text>
              <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{f.title}</span>
              <SeverityTag code={f.severity} />
              <FindingStatusTag code={f.status} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {f.owner}
                {f.due ? ` · ${f.due}` : ''}
              </Typography.Text>
            </div>
          ))}
        </div>
      ) : (
        <Typography.Text type="secondary">{t('无', 'None')}</Typography.Text>
      )}

      <div style={h}>
        {t('其他文件中的对应要求', 'Mapped requirements in other packs')} ({mappings.length})
      </div>
      {mappings.length ? (
        <div data-testid="detail-mappings">
          {mappings.map((m) => {
            const can = known(m.other);
            return (
              <div key={m.theme + m.other} style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '3px 0' }}>
                <Tooltip title={tx(m.theme_title) + (m.note ? ' — ' + tx(m.note) : '')}>
                  <Tag style={{ flex: 'none' }}>{tx(m.relation_label)}</Tag>
                </Tooltip>
                {can ? (
                  <a className="mono" onClick={() => onJump(m.other)} data-testid={'mapping-' + m.other} style={{ flex: 'none' }}>
                    {m.other}
                  </a>
                ) : (
                  <span className="mono" style={{ flex: 'none', color: '#8c8c8c' }} data-testid={'mapping-' + m.other}>
                    {m.other}
                  </span>
                )}
                <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                  <Typography.Text type="secondary">{m.other_pack}</Typography.Text> {tx(m.other_title)}
                </span>
                {m.other_verdict ? (
                  <VerdictTag code={m.other_verdict} />
                ) : (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('不在本项目', 'not in project')}
                  </Typography.Text>
                )}
              </div>
            );
          })}
        </div>
      ) : (
        <Typography.Text type="secondary">{t('无', 'None')}</Typography.Text>
      )}
    </div>
  );
}
