// The verdict editor at the foot of the detail pane: five verdict buttons,
// the justification, save; the provenance of an inferred verdict and its
// confirm button; who recorded the verdict and when.
import { useEffect, useState, type Ref } from 'react';
import { Alert, Button, Input, Space, Typography, type GetRef } from 'antd';
import { CheckOutlined } from '@ant-design/icons';
import { api, evidenceSource, type RequirementDetail, type Text, type VerdictCode } from '../../api';
import { VERDICTS, useT, verdictInfo } from '../../i18n';
import { NEEDS_NOTE, VerdictTag, shortTime } from './bits';

export type NoteRef = GetRef<typeof Input.TextArea>;

export interface Draft {
  id: string;
  verdict: VerdictCode;
  note: string;
  /** 现状描述: what was found. */
  observation: string;
  /** Why no evidence is linked ('' = none). */
  evidence_reason: string;
  dirty: boolean;
}

/** The words for an `inferred_from` from the core (`evidence:12` → 证据 #12（工具输出）). */
export function useSourceLabel(inferredFrom: string | null | undefined): Text | null {
  const [label, setLabel] = useState<Text | null>(null);
  useEffect(() => {
    let live = true;
    setLabel(null);
    if (inferredFrom)
      api
        .sourceLabel(inferredFrom)
        .then((l) => live && setLabel(l))
        .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [inferredFrom]);
  return label;
}

export function VerdictEditor({
  detail,
  draft,
  setDraft,
  ruleError,
  busy,
  frozen,
  onSave,
  onConfirm,
  onJump,
  onEvidence,
  noteRef,
}: {
  detail: RequirementDetail;
  draft: Draft;
  setDraft: (d: Draft) => void;
  ruleError: boolean;
  busy: boolean;
  frozen: boolean;
  onSave: () => void;
  onConfirm: () => void;
  onJump: (id: string) => void;
  /** Shows an evidence item (an inference from a tool's output names one). */
  onEvidence?: (id: number) => void;
  noteRef: Ref<NoteRef>;
}) {
  const { t, tx } = useT();
  const st = detail.status;
  const rec = st.recorded;
  const scopeNa = st.applicability.status === 'not_applicable' ? st.applicability.reason : null;
  const inferred = !!(rec?.inferred_from && !rec.confirmed);
  const rejudge = !!(rec?.rejudge && !rec.confirmed);
  const locked = frozen || !!scopeNa;
  const needsNote = NEEDS_NOTE.includes(draft.verdict);
  const vLabel = tx(verdictInfo(draft.verdict).label);
  const sourceLabel = useSourceLabel(rec?.inferred_from);
  const fromEvidence = evidenceSource(rec?.inferred_from);
  const sourceText = sourceLabel ? tx(sourceLabel) : (rec?.inferred_from ?? '');
  const noEvidence = detail.evidence.length === 0 && draft.verdict !== 'unassessed' && draft.verdict !== 'na';

  return (
    <div data-testid="verdict-editor" style={{ borderTop: '1px solid #f0f0f0', padding: '10px 16px 12px', background: '#fff' }}>
      {frozen && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 8, padding: '4px 12px' }}
          data-testid="frozen-notice"
          title={t('项目已批准，如需修改请在「审核与导出」中重新打开', 'The project is approved; reopen it in "Review & export" to make changes')}
        />
      )}
      {scopeNa && !frozen && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 8, padding: '4px 12px' }}
          data-testid="scope-na-notice"
          title={t('已按适用范围判为不适用，不能另行判定：', 'Not applicable because of the scope; it cannot be judged: ') + tx(scopeNa)}
        />
      )}
      {rejudge && rec && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 8, padding: '4px 12px' }}
          data-testid="rejudge-notice"
          title={
            <span>
              {t('待重新判定：原结论', 'To re-judge: earlier verdict')} <VerdictTag code={rec.verdict} />
              {t('，重新判定或确认仍然成立前不计分。', '; it does not count until judged again or confirmed.')}
              {rec.rejudge && (
                <span style={{ display: 'block', fontSize: 12, color: '#8c8c8c' }} data-testid="rejudge-reason">
                  {tx(rec.rejudge)}
                </span>
              )}
            </span>
          }
          action={
            <Button size="small" icon={<CheckOutlined />} onClick={onConfirm} disabled={locked || busy} loading={busy} data-testid="rejudge-confirm">
              {t('原结论仍成立', 'Still holds')}
            </Button>
          }
        />
      )}
      {inferred && rec && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 8, padding: '4px 12px' }}
          data-testid="inferred-notice"
          title={
            <span>
              {t('推断结论', 'Inferred verdict')} <VerdictTag code={rec.verdict} /> {t('来自', 'from')}{' '}
              {fromEvidence != null ? (
                <a onClick={() => onEvidence?.(fromEvidence)} data-testid="inferred-from-evidence" data-evidence={fromEvidence}>
                  {sourceText}
                </a>
              ) : (
                <a onClick={() => onJump(rec.inferred_from!)} data-testid="inferred-from">
                  {rec.inferred_from}
                </a>
              )}
              {t('，确认前不计分。', '; it does not count until confirmed.')}
              {rec.note && (
                <span style={{ display: 'block', fontSize: 12, color: '#8c8c8c' }} title={rec.note}>
                  {rec.note}
                </span>
              )}
            </span>
          }
          action={
            <Button size="small" type="primary" icon={<CheckOutlined />} onClick={onConfirm} disabled={locked || busy} loading={busy} data-testid="verdict-confirm">
              {t('确认', 'Confirm')}
            </Button>
          }
        />
      )}
      <Space size={6} wrap style={{ marginBottom: 8 }}>
        {VERDICTS.map((v) => {
          const on = draft.verdict === v.code;
          return (
            <Button
              key={v.code}
              size="small"
              disabled={locked || busy}
              onClick={() => setDraft({ ...draft, verdict: v.code, dirty: true })}
              data-testid={'verdict-' + v.code}
              aria-pressed={on}
              style={
                on
                  ? { background: v.code === 'unassessed' ? '#8c8c8c' : v.color, borderColor: v.code === 'unassessed' ? '#8c8c8c' : v.color, color: '#fff' }
                  : { borderColor: v.color, color: v.code === 'unassessed' ? '#595959' : v.color }
              }
            >
              {tx(v.label)}
              <span style={{ opacity: 0.6, marginInlineStart: 4, fontSize: 11 }}>{v.key}</span>
            </Button>
          );
        })}
      </Space>
      <Input.TextArea
        ref={noteRef}
        value={draft.note}
        onChange={(e) => setDraft({ ...draft, note: e.target.value, dirty: true })}
        disabled={locked}
        status={ruleError ? 'error' : undefined}
        autoSize={{ minRows: 2, maxRows: 5 }}
        placeholder={
          needsNote
            ? t(`判定为「${vLabel}」须写明理由（依据、发现的问题）`, `A verdict of "${vLabel}" needs a justification`)
            : t('理由或备注（可选）', 'Justification or remark (optional)')
        }
        data-testid="verdict-note"
      />
      <Input.TextArea
        value={draft.observation}
        onChange={(e) => setDraft({ ...draft, observation: e.target.value, dirty: true })}
        disabled={locked}
        autoSize={{ minRows: 1, maxRows: 5 }}
        style={{ marginTop: 6 }}
        placeholder={t('现状描述：现场看到的情况（访谈、查验、测试所见）', 'Observation: what was found (interviews, inspection, tests)')}
        aria-label={t('现状描述', 'Observation')}
        data-testid="verdict-observation"
      />
      {(noEvidence || draft.evidence_reason) && (
        <Input
          value={draft.evidence_reason}
          onChange={(e) => setDraft({ ...draft, evidence_reason: e.target.value, dirty: true })}
          disabled={locked}
          style={{ marginTop: 6 }}
          placeholder={t('未关联证据的理由（如：现场观察，未留存书面材料）', 'Why no evidence is linked (e.g. observed on site, no document kept)')}
          aria-label={t('无证据理由', 'Reason for no evidence')}
          data-testid="verdict-evidence-reason"
        />
      )}
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, marginTop: 8 }}>
        <Button type="primary" onClick={onSave} loading={busy} disabled={locked} data-testid="verdict-save">
          {t('保存结论', 'Save verdict')}
        </Button>
        <div style={{ flex: 1, minWidth: 0, fontSize: 12 }}>
          {ruleError ? (
            <Typography.Text type="danger" data-testid="verdict-rule">
              {t(`判定为「${vLabel}」时必须写明理由`, `A verdict of "${vLabel}" needs a justification`)}
            </Typography.Text>
          ) : (
            <Typography.Text type="secondary" data-testid="verdict-hint">
              {t('部分符合、不符合、不适用须写明理由', 'Partial, not conformant and not applicable need a justification')}
            </Typography.Text>
          )}
          <br />
          <Typography.Text type="secondary" data-testid="verdict-recorded">
            {rec
              ? `${t('记录：', 'Recorded: ')}${rec.assessor || '—'} · ${shortTime(rec.at)}${rec.confirmed && rec.inferred_from ? t(`（确认自 ${sourceText} 的推断）`, ` (confirmed inference from ${sourceText})`) : ''}`
              : t('尚未记录结论', 'No verdict recorded yet')}
            {draft.dirty ? t(' · 有未保存的修改', ' · unsaved changes') : ''}
          </Typography.Text>
        </div>
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 11, display: 'block', marginTop: 6 }} data-testid="shortcut-hint">
        {t(
          '快捷键：1 符合 · 2 部分符合 · 3 不符合 · 4 不适用 · 0 未评估 · Ctrl+Enter 保存 · J/K 或 ↓/↑ 切换要求 · / 搜索',
          'Keys: 1 conformant · 2 partial · 3 not conformant · 4 n/a · 0 not assessed · Ctrl+Enter save · J/K or ↓/↑ next/previous · / search',
        )}
      </Typography.Text>
    </div>
  );
}
