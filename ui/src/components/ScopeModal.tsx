// Changing the scoping answers of an open project. Each answer decides
// which requirements apply; the core records who changed what in the journal.
import { useMemo, useState } from 'react';
import { Alert, Form, Modal } from 'antd';
import { api, type AnswerValue, type Question } from '../api';
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

  const save = async () => {
    const changed: [string, string][] = [];
    for (const q of questions) {
      const now = rawAnswer(q, answers[q.id]);
      if (now !== null && now !== rawAnswer(q, initial[q.id])) changed.push([q.id, now]);
    }
    if (changed.length === 0) return onClose();
    setSaving(true);
    try {
      await api.scopeSet(changed);
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
        message={t(
          '回答决定哪些要求适用；被排除的要求自动记为“不适用”并写明原因。已回答的问题可以改答，不能撤回为未答。',
          'Answers decide which requirements apply; those ruled out become “not applicable” with the reason. An answered question can be changed, not un-answered.',
        )}
      />
      <div style={{ maxHeight: '60vh', overflowY: 'auto', paddingRight: 8 }}>
        <Form layout="vertical">
          {questions.map((q) => (
            <Form.Item key={q.id} label={tx(q.label)} style={{ marginBottom: 12 }}>
              <QuestionInput q={q} value={answers[q.id]} disabled={frozen} onChange={(v) => setAnswers({ ...answers, [q.id]: v })} />
            </Form.Item>
          ))}
        </Form>
      </div>
    </Modal>
  );
}
