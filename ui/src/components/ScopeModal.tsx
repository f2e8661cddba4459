// Changing the scoping answers of an open project. Each answer decides
// which requirements apply; the core records who changed what in the journal.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Form, Input, Modal, Typography } from 'antd';
import { api, type AnswerValue, type Question, type ScopeRecord } from '../api';
import { useT } from '../i18n';
import { isFrozen, useProject } from '../store';
import { QuestionInput, questionsFor, rawAnswer } from '../screens/Home';

type Answer = string | string[] | number | null;

/** The project's stored answer in the form the inputs use. */
export function toInput(q: Question, v: AnswerValue | undefined): Answer {
  if (v === undefined) return null;
  if (q.kind === 'bool') return v === true ? 'yes' : v === false ? 'no' : null;
  if (q.kind === 'multi') return Array.isArray(v) ? v : typeof v === 'string' ? [v] : null;
  if (q.kind === 'int') return typeof v === 'number' ? v : null;
  return typeof v === 'string' ? v : null;
}

export function ScopeModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, tx } = useT();
  const { library, project, refresh, reportError } = useProject();
  const frozen = isFrozen(project);
  const questions = useMemo(
    () =>
      questionsFor(
        library.questions,
        library.packs.filter((p) => project.meta.packs.some(([id]) => id === p.id)).map((p) => p.questions),
      ),
    [library, project.meta.packs],
  );
  const initial = useMemo(() => Object.fromEntries(questions.map((q) => [q.id, toInput(q, project.answers[q.id])])), [questions, project.answers]);
  const [answers, setAnswers] = useState<Record<string, Answer>>(initial);
  const [saving, setSaving] = useState(false);
  const [basis, setBasis] = useState('');
  const [records, setRecords] = useState<Record<string, ScopeRecord>>({});
  useEffect(() => {
    if (!open) return;
    let live = true;
    api
      .scopeRecords()
      .then((rs) => live && setRecords(Object.fromEntries(rs.map((r) => [r.question, r]))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [open]);

  const save = async () => {
    const changed: [string, string][] = [];
    for (const q of questions) {
      const now = rawAnswer(q, answers[q.id]);
      if (now !== null && now !== rawAnswer(q, initial[q.id])) changed.push([q.id, now]);
    }
    if (changed.length === 0) return onClose();
    setSaving(true);
    try {
      await api.scopeSet(changed, basis.trim() || null);
      await refresh();
      onClose();
    } catch (e) {
      reportError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('适用范围（适用性问题）', 'Scope (scoping questions)')}
      onCancel={onClose}
      onOk={save}
      okText={t('保存', 'Save')}
      okButtonProps={{ disabled: frozen, loading: saving, ...({ 'data-testid': 'scope-save' } as Record<string, string>) }}
      width={760}
      destroyOnHidden
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        title={t(
          '回答决定哪些要求适用；被排除的要求自动记为“不适用”并写明原因。已回答的问题可以改答，不能撤回为未答。',
          'Answers decide which requirements apply; those ruled out become “not applicable” with the reason. An answered question can be changed, not un-answered.',
        )}
      />
      <div style={{ maxHeight: '60vh', overflowY: 'auto', paddingRight: 8 }}>
        <Form layout="vertical">
          {questions.map((q) => (
            <Form.Item key={q.id} label={tx(q.label)} style={{ marginBottom: 12 }}>
              <QuestionInput q={q} value={answers[q.id]} disabled={frozen} onChange={(v) => setAnswers({ ...answers, [q.id]: v })} />
              {records[q.id] && (
                <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }} data-testid={`scope-record-${q.id}`}>
                  {records[q.id].answered_by || '—'} · {records[q.id].answered_at}
                  {records[q.id].basis ? ` · ${t('依据：', 'basis: ')}${records[q.id].basis}` : ''}
                </Typography.Text>
              )}
            </Form.Item>
          ))}
          <Form.Item label={t('本次回答的依据（访谈、文件等，可选）', 'Basis of these answers (interview, document…; optional)')} style={{ marginBottom: 12 }}>
            <Input.TextArea
              value={basis}
              disabled={frozen}
              onChange={(e) => setBasis(e.target.value)}
              autoSize={{ minRows: 1, maxRows: 4 }}
              placeholder={t('如：2026-12-01 访谈被评估单位安全负责人', 'e.g. interview with the security officer on 2026-12-01')}
              data-testid="scope-basis"
            />
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}
