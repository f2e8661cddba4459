import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { CalendarView, Occurrence } from '../api';
import { CalendarTimeline } from './CalendarTimeline';
import { projectFixture, renderScreen } from '../screens/evidence/testkit';

const h = vi.hoisted(() => ({
  api: { calendar: vi.fn(), calendarEventAdd: vi.fn(), calendarEventRemove: vi.fn(), calendarIcsSave: vi.fn() },
}));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: h.api }));

function occ(uid: string, date: string, status: Occurrence['status'], requirement: string, extra: Partial<Occurrence> = {}): Occurrence {
  return {
    uid,
    date,
    status,
    next: false,
    kind: 'annual',
    pack: 'SH26',
    doc_number: '沪通信管〔2026〕1号',
    requirement,
    clause: '四.7',
    title: { zh: `${requirement} 的标题`, en: `Title of ${requirement}` },
    deadline: 1,
    provenance: 'text',
    rule: { zh: '每年7月31日前', en: 'every year by 07-31' },
    condition: 'holds',
    ...extra,
  };
}

// Status words deliberately unlike any UI label: they must come from here (the core).
const CAL: CalendarView = {
  project: '示例',
  today: '2026-12-06',
  from: '2026-12-06',
  to: '2027-12-06',
  due_soon_days: 30,
  items: [
    occ('SH26-17.1-20260731@iovaudit', '2026-07-31', 'overdue', 'SH26-17'),
    occ('SH26-21.2-20261215@iovaudit', '2026-12-15', 'due_soon', 'SH26-21', { next: true }),
    occ('SH26-05.1-20270310@iovaudit', '2027-03-10', 'upcoming', 'SH26-05', { condition: 'unknown', open_questions: ['platform_levels_present'] }),
    occ('GB44495-10.1-20260701@iovaudit', '2026-07-01', 'done', 'GB44495-10', {
      pack: 'GB44495',
      kind: 'once',
      provenance: 'fulltext',
      done_by: { kind: 'evidence', date: '2026-06-30', evidence: 4 },
    }),
  ],
  standing: [],
  triggers: [
    {
      within: 'P3M',
      event_kinds: ['SH26-18', 'change-30'],
      events: [1],
      pack: 'SH26',
      doc_number: 'x',
      requirement: 'SH26-18',
      clause: '四.7 材料(2)',
      title: { zh: '重大变化后三个月内更新备案', en: 'Update the filing within three months of a material change' },
      deadline: 1,
      provenance: 'text',
      rule: { zh: '变化30%及以上后3个月内', en: 'within 3 months of a change of 30 % or more' },
      condition: 'holds',
    },
  ],
  events: [{ id: 1, kind: 'change-30', date: '2026-05-12', note: '数据量增长35%', recorded_by: '张三', recorded_at: '2026-05-13T01:00:00Z' }],
  unmatched_events: [],
  event_kinds: [
    { name: 'SH26-18', requirements: ['SH26-18'], trigger: { zh: '重要数据变化30%', en: 'a 30 % change of important data' } },
    { name: 'change-30', requirements: ['SH26-18'], trigger: { zh: '重要数据变化30%', en: 'a 30 % change of important data' } },
  ],
  status_labels: [
    { status: 'overdue', label: { zh: '核心-逾期', en: 'core-overdue' } },
    { status: 'due_soon', label: { zh: '核心-临近', en: 'core-soon' } },
    { status: 'upcoming', label: { zh: '核心-未到', en: 'core-upcoming' } },
    { status: 'done', label: { zh: '核心-完成', en: 'core-done' } },
  ],
};

function input(testid: string): HTMLInputElement | HTMLTextAreaElement {
  const el = screen.getByTestId(testid);
  return (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' ? el : el.querySelector('input, textarea')!) as HTMLInputElement;
}

beforeEach(() => {
  Object.values(h.api).forEach((f) => f.mockReset());
  h.api.calendar.mockResolvedValue(CAL);
});

test('the timeline lists each date with requirement, clause, source and a colour-coded status worded by the core', async () => {
  const gotoRequirement = vi.fn();
  renderScreen(<CalendarTimeline />, { fns: { gotoRequirement } });
  const items = await screen.findAllByTestId('calendar-item');
  expect(items.map((e) => [e.getAttribute('data-date'), e.getAttribute('data-requirement'), e.getAttribute('data-status')])).toEqual([
    ['2026-07-31', 'SH26-17', 'overdue'],
    ['2026-12-15', 'SH26-21', 'due_soon'],
    ['2027-03-10', 'SH26-05', 'upcoming'],
    ['2026-07-01', 'GB44495-10', 'done'],
  ]);
  const statusOf = (i: number) => within(items[i]).getByTestId('calendar-item-status');
  expect(statusOf(0).textContent).toBe('核心-逾期');
  expect(statusOf(1).textContent).toBe('核心-临近');
  expect(statusOf(3).textContent).toBe('核心-完成');
  // Colours: red overdue, orange due soon, blue upcoming, green done.
  const bg = (i: number) => within(items[i]).getByTestId('calendar-dot').style.background.toLowerCase();
  expect(bg(0)).toMatch(/207, 19, 34|cf1322/);
  expect(bg(1)).toMatch(/212, 136, 6|d48806/);
  expect(bg(2)).toMatch(/22, 93, 170|165daa/);
  expect(bg(3)).toMatch(/56, 158, 13|389e0d/);
  expect(items[0].textContent).toContain('条款 四.7');
  expect(within(items[0]).getByTestId('calendar-item-source').textContent).toContain('沪通信管〔2026〕1号');
  expect(items[1].textContent).toContain('下一次');
  expect(items[2].textContent).toContain('platform_levels_present');
  expect(items[3].textContent).toContain('证据 #4');
  expect(items[3].textContent).toContain('非官方全文');
  expect(screen.getByTestId('calendar-count-overdue').textContent).toBe('核心-逾期 1');
  expect(screen.getByTestId('calendar-range').textContent).toContain('2026-12-06');
  fireEvent.click(within(items[0]).getByTestId('calendar-item-req'));
  expect(gotoRequirement).toHaveBeenCalledWith('SH26-17');
  expect(screen.getByTestId('calendar-events').textContent).toContain('数据量增长35%');
});

test('English mode shows the English words the core sent', async () => {
  renderScreen(<CalendarTimeline />, { lang: 'en' });
  const items = await screen.findAllByTestId('calendar-item');
  expect(within(items[0]).getByTestId('calendar-item-status').textContent).toBe('core-overdue');
  expect(items[0].textContent).toContain('clause 四.7');
  expect(items[0].textContent).toContain('every year by 07-31');
  expect(screen.getByTestId('calendar').textContent).not.toMatch(/下一次|条款|逾期/);
});

test('Export ICS writes through the save chooser in the UI language; a cancelled chooser says nothing', async () => {
  h.api.calendarIcsSave.mockResolvedValueOnce(null).mockResolvedValueOnce({ path: '/p/exports/合规日历.ics', size: 900, events: 4 });
  renderScreen(<CalendarTimeline />);
  await screen.findAllByTestId('calendar-item');
  fireEvent.click(screen.getByTestId('calendar-ics'));
  await waitFor(() => expect(h.api.calendarIcsSave).toHaveBeenCalledWith('zh'));
  await waitFor(() => expect(screen.getByTestId('calendar-ics').className).not.toContain('ant-btn-loading'));
  expect(screen.queryByTestId('calendar-ics-saved')).toBeNull();
  fireEvent.click(screen.getByTestId('calendar-ics'));
  expect((await screen.findByTestId('calendar-ics-saved')).textContent).toContain('/p/exports/合规日历.ics（4 个日程）');
});

test('recording an event sends kind, date and note, shows the deadlines it starts and reloads', async () => {
  h.api.calendarEventAdd.mockResolvedValue({
    event: { id: 2, kind: 'change-30', date: '2026-11-02', note: '新增车型', recorded_by: '张三', recorded_at: '' },
    dues: [{ requirement: 'SH26-18', clause: '四.7', title: { zh: '更新备案', en: 'Update the filing' }, within: 'P3M', due: '2027-02-02', applicable: true }],
  });
  renderScreen(<CalendarTimeline />);
  await screen.findAllByTestId('calendar-item');
  fireEvent.click(screen.getByTestId('calendar-event-add'));
  const save = await screen.findByTestId('calendar-event-save');
  expect((save as HTMLButtonElement).disabled).toBe(true); // no date yet
  // Choose the named kind (the first, the requirement id, is preselected).
  fireEvent.mouseDown(screen.getByTestId('calendar-event-kind').querySelector('.ant-select-selector, input')!);
  fireEvent.click(await screen.findByText('change-30 → SH26-18'));
  fireEvent.change(input('calendar-event-date'), { target: { value: ' 2026-11-02 ' } });
  fireEvent.change(input('calendar-event-note'), { target: { value: '新增车型' } });
  fireEvent.click(screen.getByTestId('calendar-event-save'));
  await waitFor(() => expect(h.api.calendarEventAdd).toHaveBeenCalledWith('change-30', '2026-11-02', '新增车型'));
  expect((await screen.findByTestId('calendar-event-dues')).textContent).toContain('2027-02-02 前');
  await waitFor(() => expect(h.api.calendar).toHaveBeenCalledTimes(2));
});

test('a refused event is reported (the core checks the date); removing an event asks first', async () => {
  const reportError = vi.fn();
  h.api.calendarEventAdd.mockRejectedValue({ zh: '事件日期应为 YYYY-MM-DD', en: 'the event date must be YYYY-MM-DD' });
  h.api.calendarEventRemove.mockResolvedValue(CAL.events[0]);
  renderScreen(<CalendarTimeline />, { fns: { reportError } });
  await screen.findAllByTestId('calendar-item');
  fireEvent.click(screen.getByTestId('calendar-event-add'));
  fireEvent.change(input('calendar-event-date'), { target: { value: '2026/11/02' } });
  fireEvent.click(await screen.findByTestId('calendar-event-save'));
  await waitFor(() => expect(reportError).toHaveBeenCalledWith({ zh: '事件日期应为 YYYY-MM-DD', en: 'the event date must be YYYY-MM-DD' }));
  expect(h.api.calendarEventAdd).toHaveBeenCalledWith('SH26-18', '2026/11/02', '');
  expect(screen.queryByTestId('calendar-event-dues')).toBeNull();

  fireEvent.click(screen.getByTestId('calendar-event-remove-1'));
  expect(h.api.calendarEventRemove).not.toHaveBeenCalled();
  fireEvent.click(await screen.findByTestId('calendar-event-remove-ok-1'));
  await waitFor(() => expect(h.api.calendarEventRemove).toHaveBeenCalledWith(1));
});

test('an approved project cannot record events; an empty range says so; a failing calendar is reported', async () => {
  h.api.calendar.mockResolvedValueOnce({ ...CAL, items: [], events: [], triggers: [] });
  renderScreen(<CalendarTimeline />, { project: projectFixture({ state: 'approved' }) });
  expect(await screen.findByText('此范围内没有日期')).toBeTruthy();
  expect((screen.getByTestId('calendar-event-add') as HTMLButtonElement).disabled).toBe(true);
  expect((screen.getByTestId('calendar-ics') as HTMLButtonElement).disabled).toBe(false);

  const reportError = vi.fn();
  h.api.calendar.mockRejectedValueOnce({ zh: '数据库错误', en: 'db error' });
  renderScreen(<CalendarTimeline />, { fns: { reportError } });
  await waitFor(() => expect(reportError).toHaveBeenCalledWith({ zh: '数据库错误', en: 'db error' }));
});
