import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { emptyInfo, type Info, type InfoView } from '../api';
import { makeState, project, renderScreen } from './workspace/testFixture';
import { ProjectInfo, problemsOf, withoutField } from './ProjectInfo';

const mocks = vi.hoisted(() => ({ projectInfo: vi.fn(), projectInfoSet: vi.fn() }));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: mocks }));

const ROLES: InfoView['roles'] = [
  { value: 'lead', label: { zh: '项目负责人', en: 'Lead' } },
  { value: 'author', label: { zh: '编制', en: 'Prepared by' } },
];

function view(info: Info): InfoView {
  return { info, zone: 'Asia/Shanghai', system_zone: 'Asia/Shanghai', roles: ROLES };
}

const stored: Info = {
  ...emptyInfo(),
  report_number: 'IOV-2026-001',
  assessee: { ...emptyInfo().assessee, name: '某车企', credit_code: '91110000100000000X' },
  team: [{ name: '李评估', role: '组长', cert_no: 'CISP-001', kind: 'lead' }],
  objects: { platforms: [{ name: '车联网服务平台', level: 3, filing_no: '' }], vehicles: [], apps: [], data_catalogue: '' },
};

beforeEach(() => {
  for (const m of Object.values(mocks)) m.mockReset();
  mocks.projectInfo.mockResolvedValue(view(stored));
});

test('problemsOf matches the field and the fields inside it', () => {
  const ps = [
    { field: 'assessee.credit_code', zh: 'a', en: 'a' },
    { field: 'objects.platforms.0.level', zh: 'b', en: 'b' },
  ];
  expect(problemsOf(ps, 'assessee.credit_code')).toHaveLength(1);
  expect(problemsOf(ps, 'objects.platforms.0')).toHaveLength(1);
  expect(problemsOf(ps, 'assessee.name')).toHaveLength(0);
  expect(problemsOf(ps, 'objects.platforms.1.level')).toHaveLength(0);
});

test('shows every part of the information as stored', async () => {
  renderScreen(<ProjectInfo />, makeState());
  expect(((await screen.findByTestId('info-report_number')) as HTMLInputElement).value).toBe('IOV-2026-001');
  expect((screen.getByTestId('info-assessee.credit_code') as HTMLInputElement).value).toBe('91110000100000000X');
  for (const card of ['assessee', 'client', 'assessor_org']) expect(screen.getByTestId(`info-card-${card}`)).toBeTruthy();
  expect((screen.getByTestId('info-team.0.cert_no') as HTMLInputElement).value).toBe('CISP-001');
  expect(screen.getByTestId('info-row-team-0').textContent).toContain('项目负责人');
  for (const l of ['tools', 'objects.platforms', 'objects.vehicles', 'objects.apps']) expect(screen.getByTestId(`info-list-${l}`)).toBeTruthy();
  for (const f of ['purpose', 'boundary', 'schedule.start', 'schedule.end', 'distribution', 'require_evidence', 'assessee_statement', 'time_zone'])
    expect(screen.getByTestId(`info-${f}`)).toBeTruthy();
  expect(screen.getByTestId('info-zone').textContent).toContain('Asia/Shanghai');
  // nothing changed yet: save is off
  expect((screen.getByTestId('info-save') as HTMLButtonElement).disabled).toBe(true);
});

test('a refusal from the core is shown under the field it names, and nothing is reported saved', async () => {
  mocks.projectInfoSet.mockResolvedValueOnce({
    saved: false,
    problems: [
      { field: 'assessee.credit_code', zh: 'assessee.credit_code：统一社会信用代码「123」无效：应为 18 位', en: 'assessee.credit_code: the unified social credit code `123` is invalid' },
      { field: 'objects.platforms.0.level', zh: 'objects.platforms.0.level：防护等级应为 1–5（而不是 7）', en: 'objects.platforms.0.level: must be 1–5' },
    ],
    view: view(stored),
  });
  const state = makeState();
  renderScreen(<ProjectInfo />, state);
  fireEvent.change(await screen.findByTestId('info-assessee.credit_code'), { target: { value: '123' } });
  fireEvent.click(screen.getByTestId('info-save'));
  const under = await screen.findByTestId('info-error-assessee.credit_code');
  expect(under.textContent).toContain('「123」无效');
  // under its field the path is not repeated
  expect(under.textContent).not.toContain('assessee.credit_code');
  expect(screen.getByTestId('info-error-objects.platforms.0.level').textContent).toContain('1–5');
  expect(screen.queryByTestId('info-error-assessee.name')).toBeNull();
  expect(screen.getByTestId('info-problems').textContent).toContain('未保存');
  const sent = mocks.projectInfoSet.mock.calls[0][0] as Info;
  expect(sent.assessee.credit_code).toBe('123');
  expect(state.refresh).not.toHaveBeenCalled();
  // editing the field clears its mark until the next save
  fireEvent.change(screen.getByTestId('info-assessee.credit_code'), { target: { value: '1234' } });
  expect(screen.queryByTestId('info-error-assessee.credit_code')).toBeNull();
  expect(screen.getByTestId('info-error-objects.platforms.0.level')).toBeTruthy();
});

test('withoutField drops the leading field path in either language', () => {
  expect(withoutField('assessee.credit_code：统一社会信用代码「1」无效', 'assessee.credit_code')).toBe('统一社会信用代码「1」无效');
  expect(withoutField('time_zone: `X` is not a known time zone', 'time_zone')).toBe('`X` is not a known time zone');
  expect(withoutField('something else', 'time_zone')).toBe('something else');
});

test('adds a team member and a tool, then saves the whole information', async () => {
  mocks.projectInfoSet.mockImplementation(async (info: Info) => ({ saved: true, problems: [], view: view(info) }));
  const state = makeState();
  renderScreen(<ProjectInfo />, state);
  await screen.findByTestId('info-team.0.name');
  fireEvent.click(screen.getByTestId('info-add-team'));
  fireEvent.change(screen.getByTestId('info-team.1.name'), { target: { value: '王审核' } });
  fireEvent.change(screen.getByTestId('info-team.1.cert_no'), { target: { value: 'CISP-002' } });
  fireEvent.click(screen.getByTestId('info-add-tools'));
  fireEvent.change(screen.getByTestId('info-tools.0.name'), { target: { value: 'Nmap' } });
  fireEvent.change(screen.getByTestId('info-tools.0.version'), { target: { value: '7.94' } });
  fireEvent.change(screen.getByTestId('info-client.name'), { target: { value: '某委托单位' } });
  fireEvent.change(screen.getByTestId('info-distribution'), { target: { value: '被评估单位\n\n监管部门 ' } });
  fireEvent.click(screen.getByTestId('info-require_evidence'));
  fireEvent.click(screen.getByTestId('info-save'));
  await waitFor(() => expect(mocks.projectInfoSet).toHaveBeenCalled());
  const sent = mocks.projectInfoSet.mock.calls[0][0] as Info;
  expect(sent.team).toEqual([
    { name: '李评估', role: '组长', cert_no: 'CISP-001', kind: 'lead' },
    { name: '王审核', role: '', cert_no: 'CISP-002', kind: null },
  ]);
  expect(sent.tools).toEqual([{ name: 'Nmap', version: '7.94', purpose: '' }]);
  expect(sent.client.name).toBe('某委托单位');
  expect(sent.distribution).toEqual(['被评估单位', '监管部门']);
  expect(sent.require_evidence).toBe(true);
  expect(sent.report_number).toBe('IOV-2026-001');
  await waitFor(() => expect(state.refresh).toHaveBeenCalled());
  // removing a row
  fireEvent.click(screen.getByTestId('info-remove-team-0'));
  expect(within(screen.getByTestId('info-list-team')).queryByTestId('info-row-team-1')).toBeNull();
});

test('English labels with --lang en', async () => {
  renderScreen(<ProjectInfo />, makeState(), 'en');
  await screen.findByTestId('info-report_number');
  expect(screen.getByTestId('info-card-assessee').textContent).toContain('Unified social credit code');
  expect(screen.getByText('Project information')).toBeTruthy();
});

test('an approved project cannot be edited', async () => {
  renderScreen(<ProjectInfo />, makeState({ project: { ...project, meta: { ...project.meta, state: 'approved' } } }));
  expect(((await screen.findByTestId('info-report_number')) as HTMLInputElement).disabled).toBe(true);
});

test('times on screen are shown in the project zone with the zone stated', async () => {
  const { shortTime } = await import('./workspace/bits');
  expect(shortTime('2026-12-06T01:30:00Z', 'Asia/Shanghai')).toBe('2026-12-06 09:30 (UTC+08:00)');
  expect(shortTime('2026-07-01T10:00:00Z', 'Europe/Berlin')).toBe('2026-07-01 12:00 (UTC+02:00)');
  expect(shortTime('2026-12-06T01:30:00Z', 'UTC')).toBe('2026-12-06 01:30 (UTC+00:00)');
  // no zone known: no trailing Z, the zone still stated
  expect(shortTime('2026-12-06T01:30:00Z', null)).toBe('2026-12-06 01:30 (UTC)');
  expect(shortTime('2026-03-01T10:20:00+08:00', null)).toBe('2026-03-01 10:20');
});
