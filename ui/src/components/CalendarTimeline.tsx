// 合规日历 on the dashboard: the project's dated obligations (from the
// core's calendar: next occurrence, requirement, clause, source document,
// status upcoming / due within 30 days / overdue / done, colour-coded),
// trigger events (record one, remove a mistake; journalled by the core),
// and "Export ICS" (the same RFC 5545 file `iovaudit calendar --ics` writes,
// saved where the native chooser says).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Empty, Input, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { CalendarOutlined, DeleteOutlined, ExportOutlined, PlusOutlined } from '@ant-design/icons';
import { api, type CalendarView, type DueStatus, type EventDue, type Occurrence } from '../api';
import { DEADLINE_KINDS, DUE_STATUS_COLORS, provenanceMark, useT } from '../i18n';
import { isFrozen, useProject } from '../store';

/** How many dates are shown before "show all". */
const FIRST = 12;
const ORDER: DueStatus[] = ['overdue', 'due_soon', 'upcoming', 'done'];

function Dot({ status }: { status: DueStatus }) {
  return <span data-testid="calendar-dot" data-status={status} style={{ width: 10, height: 10, borderRadius: '50%', background: DUE_STATUS_COLORS[status], display: 'inline-block', flex: 'none' }} />;
}

function Item({ o, label, last }: { o: Occurrence; label: string; last: boolean }) {
  const { t, tx } = useT();
  const { gotoRequirement } = useProject();
  const mark = provenanceMark(o.provenance);
  const color = DUE_STATUS_COLORS[o.status];
  return (
    <div
      data-testid="calendar-item"
      data-uid={o.uid}
      data-status={o.status}
      data-requirement={o.requirement}
      data-date={o.date}
      style={{ display: 'flex', gap: 10, position: 'relative', paddingBottom: last ? 0 : 10 }}
    >
      <div style={{ width: 86, flex: 'none', textAlign: 'right', fontVariantNumeric: 'tabular-nums', fontWeight: o.next ? 600 : 400, color: o.status === 'overdue' ? color : undefined }}>
        {o.date}
      </div>
      <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', flex: 'none', width: 12 }}>
        <span style={{ marginTop: 6 }}>
          <Dot status={o.status} />
        </span>
        {!last && <span style={{ flex: 1, width: 2, background: '#e8e8e8', marginTop: 2 }} />}
      </div>
      <div style={{ flex: 1, minWidth: 0 }}>
        <div style={{ display: 'flex', gap: 6, alignItems: 'baseline', flexWrap: 'wrap' }}>
          <Tag color={color} style={{ marginInlineEnd: 0 }} data-testid="calendar-item-status">
            {label}
          </Tag>
          <Typography.Link onClick={() => gotoRequirement(o.requirement)} data-testid="calendar-item-req">
            {o.requirement}
          </Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('条款', 'clause')} {o.clause}
          </Typography.Text>
          <Typography.Text ellipsis style={{ maxWidth: 420 }} title={tx(o.title)}>
            {tx(o.title)}
          </Typography.Text>
          {o.next && (
            <Tag color="geekblue" style={{ marginInlineEnd: 0 }}>
              {t('下一次', 'next')}
            </Tag>
          )}
        </div>
        <div style={{ fontSize: 12, color: '#8c8c8c' }} data-testid="calendar-item-source">
          {o.pack} · {o.doc_number} · {tx(DEADLINE_KINDS[o.kind])}
          {o.event ? ` · ${t('事件', 'event')} #${o.event.id} ${o.event.kind} ${o.event.date}` : ''}
          {o.done_by
            ? ` · ${t('已由', 'done by')} ${o.done_by.kind === 'evidence' ? `${t('证据', 'evidence')} #${o.done_by.evidence ?? ''}` : t('符合结论', 'a conforming verdict')} (${o.done_by.date})`
            : ''}
        </div>
        <div style={{ fontSize: 12, color: '#595959', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={tx(o.rule)}>
          {tx(o.rule)}
        </div>
        {o.condition === 'unknown' && (
          <div style={{ fontSize: 12, color: '#d48806' }}>
            {t('适用条件待定，未回答：', 'condition unknown, unanswered: ')}
            {(o.open_questions ?? []).join(', ')}
          </div>
        )}
        {mark && <div style={{ fontSize: 12, color: '#d48806' }}>{tx(mark)}</div>}
      </div>
    </div>
  );
}

export function CalendarTimeline() {
  const { project, statuses, reportError, settings } = useProject();
  const { t, tx } = useT();
  const { message } = App.useApp();
  const frozen = isFrozen(project);
  const [cal, setCal] = useState<CalendarView | null>(null);
  const [all, setAll] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [kind, setKind] = useState<string | undefined>(undefined);
  const [date, setDate] = useState('');
  const [note, setNote] = useState('');
  const [dues, setDues] = useState<EventDue[] | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    api
      .calendar()
      .then((c) => live && setCal(c))
      .catch((e) => {
        if (!live) return;
        reportError(e);
        setCal(null);
      });
    return () => {
      live = false;
    };
  }, [statuses, project.evidence_count, project.meta.revision, reload, reportError]);

  const labels = useMemo(() => {
    const m = new Map<string, string>();
    for (const l of cal?.status_labels ?? []) m.set(l.status, tx(l.label));
    return m;
  }, [cal, tx]);
  const counts = useMemo(() => {
    const m = new Map<DueStatus, number>();
    for (const o of cal?.items ?? []) m.set(o.status, (m.get(o.status) ?? 0) + 1);
    return m;
  }, [cal]);

  const run = useCallback(
    async (key: string, f: () => Promise<void>) => {
      setBusy(key);
      try {
        await f();
      } catch (e) {
        reportError(e);
      } finally {
        setBusy(null);
      }
    },
    [reportError],
  );

  const exportIcs = () =>
    run('ics', async () => {
      const r = await api.calendarIcsSave(settings.lang);
      if (r) message.success({ content: <span data-testid="calendar-ics-saved">{t(`已写入 ${r.path}（${r.events} 个日程）`, `Wrote ${r.path} (${r.events} events)`)}</span>, duration: 6 });
    });
  const openAdd = () => {
    setKind(cal?.event_kinds[0]?.name);
    setDate('');
    setNote('');
    setDues(null);
    setAdding(true);
  };
  const saveEvent = () =>
    run('event', async () => {
      const r = await api.calendarEventAdd(kind ?? '', date.trim(), note.trim());
      setDues(r.dues);
      setReload((n) => n + 1);
    });
  const removeEvent = (id: number) =>
    run(`remove-${id}`, async () => {
      await api.calendarEventRemove(id);
      setReload((n) => n + 1);
    });

  const items = cal?.items ?? [];
  const shown = all ? items : items.slice(0, FIRST);
  const kindInfo = cal?.event_kinds.find((k) => k.name === kind);

  return (
    <Card
      size="small"
      data-testid="calendar"
      title={
        <span>
          <CalendarOutlined /> {t('合规日历', 'Compliance calendar')}
          {cal && (
            <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400, marginInlineStart: 8 }} data-testid="calendar-range">
              {t(`今天 ${cal.today}；${cal.from} 至 ${cal.to}`, `today ${cal.today}; ${cal.from} to ${cal.to}`)}
            </Typography.Text>
          )}
        </span>
      }
      extra={
        <Space size={6}>
          <Button size="small" icon={<PlusOutlined />} disabled={frozen || !cal || cal.event_kinds.length === 0 || busy !== null} onClick={openAdd} data-testid="calendar-event-add">
            {t('记录触发事件…', 'Record an event…')}
          </Button>
          <Button size="small" icon={<ExportOutlined />} loading={busy === 'ics'} disabled={!cal || (busy !== null && busy !== 'ics')} onClick={exportIcs} data-testid="calendar-ics">
            {t('导出 ICS…', 'Export ICS…')}
          </Button>
        </Space>
      }
    >
      {cal === null ? (
        <Typography.Text type="secondary">{t('加载中…', 'Loading…')}</Typography.Text>
      ) : (
        <>
          <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', fontSize: 12, marginBottom: 10 }} data-testid="calendar-counts">
            {ORDER.map((s) => (
              <span key={s} data-testid={`calendar-count-${s}`} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
                <Dot status={s} />
                {labels.get(s) ?? s} <strong>{counts.get(s) ?? 0}</strong>
              </span>
            ))}
          </div>
          {items.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('此范围内没有日期', 'No dates in this range')} />
          ) : (
            <div data-testid="calendar-timeline">
              {shown.map((o, i) => (
                <Item key={o.uid} o={o} label={labels.get(o.status) ?? o.status} last={i === shown.length - 1} />
              ))}
              {items.length > FIRST && (
                <Button type="link" size="small" onClick={() => setAll((v) => !v)} data-testid="calendar-more">
                  {all ? t('收起', 'Show fewer') : t(`显示全部 ${items.length} 个日期`, `Show all ${items.length} dates`)}
                </Button>
              )}
            </div>
          )}
          {(cal.triggers.length > 0 || cal.events.length > 0) && (
            <div style={{ marginTop: 10, borderTop: '1px solid #f0f0f0', paddingTop: 8 }} data-testid="calendar-triggers">
              <Typography.Text strong style={{ fontSize: 13 }}>
                {t('触发型期限', 'Triggered deadlines')}
              </Typography.Text>
              {cal.triggers.map((tr) => (
                <div key={`${tr.requirement}.${tr.deadline}`} style={{ fontSize: 12, marginTop: 2 }}>
                  <strong>{tr.requirement}</strong> {tx(tr.title)} —{' '}
                  <span style={{ color: '#595959' }}>{tx(tr.rule)}</span>{' '}
                  <Typography.Text type="secondary">
                    ({t('事件类型', 'event kinds')}: {tr.event_kinds.join(', ')})
                  </Typography.Text>
                </div>
              ))}
              {cal.events.length > 0 && (
                <ul style={{ margin: '4px 0 0', paddingInlineStart: 18, fontSize: 12 }} data-testid="calendar-events">
                  {cal.events.map((e) => (
                    <li key={e.id} data-testid={`calendar-event-${e.id}`}>
                      #{e.id} {e.date} <strong>{e.kind}</strong> {e.note}{' '}
                      <Typography.Text type="secondary">({e.recorded_by})</Typography.Text>
                      {cal.unmatched_events.includes(e.id) && (
                        <Tag color="warning" style={{ marginInlineStart: 4 }}>
                          {t('类型已不在检查单中', 'kind no longer in the packs')}
                        </Tag>
                      )}
                      {!frozen && (
                        <Popconfirm
                          title={t(`删除事件 #${e.id}？（变更日志保留记录）`, `Remove event #${e.id}? (the journal keeps both entries)`)}
                          okText={t('删除', 'Remove')}
                          cancelText={t('取消', 'Cancel')}
                          okButtonProps={{ danger: true, ...{ 'data-testid': `calendar-event-remove-ok-${e.id}` } }}
                          onConfirm={() => removeEvent(e.id)}
                        >
                          <Button type="link" size="small" danger icon={<DeleteOutlined />} loading={busy === `remove-${e.id}`} data-testid={`calendar-event-remove-${e.id}`} />
                        </Popconfirm>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </>
      )}
      <Modal
        open={adding}
        title={t('记录触发事件', 'Record a trigger event')}
        onCancel={() => setAdding(false)}
        destroyOnHidden
        footer={
          dues ? (
            <Button type="primary" onClick={() => setAdding(false)} data-testid="calendar-event-done">
              {t('完成', 'Done')}
            </Button>
          ) : (
            <Space>
              <Button onClick={() => setAdding(false)}>{t('取消', 'Cancel')}</Button>
              <Button type="primary" loading={busy === 'event'} disabled={!kind || date.trim() === ''} onClick={saveEvent} data-testid="calendar-event-save">
                {t('记录', 'Record')}
              </Button>
            </Space>
          )
        }
      >
        {dues ? (
          <div data-testid="calendar-event-dues">
            <Typography.Paragraph>{t('已记录。由此产生的期限：', 'Recorded. The deadlines it starts:')}</Typography.Paragraph>
            <ul style={{ paddingInlineStart: 18 }}>
              {dues.map((d) => (
                <li key={`${d.requirement}-${d.due}`}>
                  <strong>{d.requirement}</strong> {tx(d.title)}：{t(`${d.due} 前`, `due by ${d.due}`)}
                  {!d.applicable && <Typography.Text type="secondary">{t('（按适用范围不适用，不列入日历）', ' (not applicable under the scope: not in the calendar)')}</Typography.Text>}
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <Space orientation="vertical" size={8} style={{ width: '100%' }}>
            <div>
              <Typography.Text strong>{t('事件类型', 'Event kind')}</Typography.Text>
              <Select
                style={{ width: '100%', marginTop: 4 }}
                value={kind}
                onChange={setKind}
                data-testid="calendar-event-kind"
                options={(cal?.event_kinds ?? []).map((k) => ({ value: k.name, label: `${k.name} → ${k.requirements.join(', ')}` }))}
              />
              {kindInfo && <div style={{ fontSize: 12, color: '#595959', marginTop: 2 }}>{tx(kindInfo.trigger)}</div>}
            </div>
            <div>
              <Typography.Text strong>{t('发生日期', 'Date it happened')}</Typography.Text>
              <Input style={{ marginTop: 4 }} value={date} onChange={(e) => setDate(e.target.value)} placeholder="YYYY-MM-DD" data-testid="calendar-event-date" />
            </div>
            <div>
              <Typography.Text strong>{t('说明', 'Note')}</Typography.Text>
              <Input.TextArea style={{ marginTop: 4 }} value={note} onChange={(e) => setNote(e.target.value)} rows={2} data-testid="calendar-event-note" />
            </div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('记录会写入变更日志；期限自事件日期起算。', 'The event is journalled; its deadlines count from the event’s date.')}
            </Typography.Text>
          </Space>
        )}
      </Modal>
    </Card>
  );
}
