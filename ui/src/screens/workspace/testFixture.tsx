// Test fixture for the checklist, dashboard and findings tests (not used by
// the app): two packs, three sections, seven requirements with every kind of
// verdict, one inferred and unconfirmed, one to be confirmed, one ruled out.
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import type {
  Finding,
  Library,
  ProjectView,
  Recorded,
  Requirement,
  RequirementDetail,
  Scores,
  Status,
  Tally,
  VerdictCode,
  Lang,
} from '../../api';
import { LangContext } from '../../i18n';
import { ProjectContext, type ProjectState } from '../../store';

function req(id: string, clause: string, zh: string, en: string, extra: Partial<Requirement> = {}): Requirement {
  return {
    id,
    clause,
    title: { zh, en },
    text: { zh: `${zh}的完整条文。`, en: `Full text of ${en}.` },
    obligation: 'mandatory',
    applies_to: ['ALL'],
    when: null,
    evidence: { zh: [`${zh}的制度文件`], en: [`Policy for ${en}`] },
    methods: ['examine'],
    weight: 2,
    veto: false,
    themes: [],
    provenance: 'text',
    to_confirm: false,
    provenance_note: null,
    params: [],
    deadlines: [],
    test: null,
    ...extra,
  };
}

const R = {
  a1: req('GB1-01', '7.1.1', '安全管理制度', 'Security policy', { veto: true, weight: 4 }),
  a2: req('GB1-02', '7.1.2', '漏洞管理', 'Vulnerability management'),
  a3: req('GB1-03', '7.1.3', '日志留存', 'Log retention', {
    to_confirm: true,
    provenance: 'inferred',
    provenance_note: '依据二手资料整理',
    test: { clause: '8.1.3', text: { zh: '检查日志留存六个月', en: 'Check six months of logs' } },
  }),
  a4: req('GB1-04', '7.2.1', '数据出境', 'Data export', { veto: true }),
  b1: req('BJ-01', '三（一）1', '安全责任人', 'Accountable person'),
  b2: req('BJ-02', '三（一）2', '远程升级安全', 'OTA security', { when: 'has_ota', obligation: 'conditional' }),
  b3: req('BJ-03', '三（一）3', '应急预案', 'Incident response plan'),
};

export const library: Library = {
  questions: [{ id: 'has_ota', kind: 'bool', label: { zh: '是否提供远程升级', en: 'Offers OTA' } }],
  packs: [
    {
      id: 'GB1',
      version: '1',
      doc_number: 'GB 1—2024',
      title: { zh: '汽车整车信息安全技术要求', en: 'Vehicle cybersecurity requirements' },
      issuer: { zh: '发布机构', en: 'Issuer' },
      doc_type: 'standard',
      region: 'CN',
      status: 'in_force',
      issued: null,
      effective: null,
      source: '',
      provenance: 'text',
      note: null,
      applies_when: null,
      questions: [],
      sections: [
        { id: 'GB1-S1', clause: '7.1', title: { zh: '管理要求', en: 'Management' }, requirements: [R.a1, R.a2, R.a3] },
        { id: 'GB1-S2', clause: '7.2', title: { zh: '数据要求', en: 'Data' }, requirements: [R.a4] },
      ],
      excluded: [],
    },
    {
      id: 'BJ',
      version: '2',
      doc_number: '京信网安发〔2024〕50号',
      title: { zh: '北京车联网安全筑基工作方案', en: 'Beijing IoV plan' },
      issuer: { zh: '发布机构', en: 'Issuer' },
      doc_type: 'local_plan',
      region: 'CN-BJ',
      status: 'in_force',
      issued: null,
      effective: null,
      source: '',
      provenance: 'text',
      note: null,
      applies_when: null,
      questions: ['has_ota'],
      sections: [{ id: 'BJ-S1', clause: '三（一）', title: { zh: '提升企业网络安全水平', en: 'Raise security level' }, requirements: [R.b1, R.b2, R.b3] }],
      excluded: [],
    },
    {
      id: 'OTHER',
      version: '1',
      doc_number: 'X',
      title: { zh: '不在项目中的文件', en: 'Not in project' },
      issuer: { zh: '', en: '' },
      doc_type: 'standard',
      region: 'CN',
      status: 'in_force',
      issued: null,
      effective: null,
      source: '',
      provenance: 'text',
      note: null,
      applies_when: null,
      questions: [],
      sections: [{ id: 'O-S1', clause: '1', title: { zh: '其他', en: 'Other' }, requirements: [req('OTHER-01', '1', '其他要求', 'Other')] }],
      excluded: [],
    },
  ],
  themes: [],
};

function rec(verdict: VerdictCode, note: string, extra: Partial<Recorded> = {}): Recorded {
  return { verdict, note, assessor: '张工', at: '2026-03-01T10:20:00+08:00', inferred_from: null, confirmed: true, ...extra };
}

function status(pack: string, section: string, r: Requirement, verdict: VerdictCode, recorded: Recorded | null, extra: Partial<Status> = {}): Status {
  return {
    pack,
    section,
    requirement: r.id,
    clause: r.clause,
    title: r.title,
    weight: r.weight,
    veto: r.veto,
    obligation: r.obligation,
    to_confirm: r.to_confirm,
    applicability: { status: 'applicable' },
    verdict,
    recorded,
    evidence: [],
    ...extra,
  };
}

export const statuses: Status[] = [
  status('GB1', 'GB1-S1', R.a1, 'conform', rec('conform', ''), { evidence: [1] }),
  status('GB1', 'GB1-S1', R.a2, 'partial', rec('partial', '制度未覆盖供应商')),
  status('GB1', 'GB1-S1', R.a3, 'unassessed', null),
  status('GB1', 'GB1-S2', R.a4, 'nonconform', rec('nonconform', '未做出境评估')),
  status('BJ', 'BJ-S1', R.b1, 'conform', rec('conform', '由 GB1-01 的结论推断', { inferred_from: 'GB1-01', confirmed: false })),
  status('BJ', 'BJ-S1', R.b2, 'na', null, {
    applicability: { status: 'not_applicable', reason: { zh: '未提供远程升级（has_ota = 否）', en: 'No OTA (has_ota = no)' } },
  }),
  status('BJ', 'BJ-S1', R.b3, 'unassessed', null),
];

export const project: ProjectView = {
  dir: '/tmp/demo.iovaudit',
  meta: {
    name: '示例项目',
    assessee: '某车企',
    kind: 'third-party',
    organisation: '某评估机构',
    created_at: '2026-01-01T00:00:00+08:00',
    created_by: '张工',
    state: 'draft',
    revision: 1,
    state_by: null,
    state_at: null,
    snapshot_hash: null,
    packs: [
      ['GB1', '1'],
      ['BJ', '2'],
    ],
  },
  answers: { has_ota: false },
  evidence_count: 1,
  finding_count: 2,
};

export function tally(p: Partial<Tally>): Tally {
  return {
    conform: 0,
    partial: 0,
    nonconform: 0,
    not_applicable: 0,
    unassessed: 0,
    inferred_pending: 0,
    weight_judged: 0,
    earned: 0,
    score: null,
    judged: 0,
    applicable: 0,
    ...p,
  };
}

export const scores: Scores = {
  overall: tally({ conform: 1, partial: 1, nonconform: 1, not_applicable: 1, unassessed: 3, inferred_pending: 1, weight_judged: 8, earned: 5, score: 62.5, judged: 3, applicable: 6 }),
  conclusion: { zh: '不符合', en: 'Not conformant' },
  complete: false,
  packs: [
    {
      pack: 'GB1',
      title: library.packs[0].title,
      tally: tally({ conform: 1, partial: 1, nonconform: 1, unassessed: 1, weight_judged: 8, earned: 5, score: 62.5, judged: 3, applicable: 4 }),
      band: 2,
      conclusion: { zh: '不符合', en: 'Not conformant' },
      veto_failed: ['GB1-04'],
      complete: false,
      sections: [
        { section: 'GB1-S1', clause: '7.1', title: { zh: '管理要求', en: 'Management' }, tally: tally({ conform: 1, partial: 1, unassessed: 1, weight_judged: 6, earned: 5, score: 83.3, judged: 2, applicable: 3 }) },
        { section: 'GB1-S2', clause: '7.2', title: { zh: '数据要求', en: 'Data' }, tally: tally({ nonconform: 1, weight_judged: 2, earned: 0, score: 0, judged: 1, applicable: 1 }) },
      ],
    },
    {
      pack: 'BJ',
      title: library.packs[1].title,
      tally: tally({ not_applicable: 1, unassessed: 2, inferred_pending: 1, judged: 0, applicable: 2 }),
      band: null,
      conclusion: null,
      veto_failed: [],
      complete: false,
      sections: [
        { section: 'BJ-S1', clause: '三（一）', title: { zh: '提升企业网络安全水平', en: 'Raise security level' }, tally: tally({ not_applicable: 1, unassessed: 2, inferred_pending: 1, applicable: 2 }) },
      ],
    },
  ],
};

export const findings: Finding[] = [
  {
    id: 1,
    requirement: 'GB1-02',
    title: '漏洞管理制度缺供应商条款',
    severity: 'medium',
    owner: '李四',
    due: '2020-01-31',
    status: 'open',
    note: '',
    created_by: '张工',
    created_at: '2026-03-01T10:00:00+08:00',
    updated_at: '2026-03-01T10:00:00+08:00',
  },
  {
    id: 2,
    requirement: 'GB1-04',
    title: '未开展数据出境安全评估',
    severity: 'high',
    owner: '王五',
    due: '2099-12-31',
    status: 'fixed',
    note: '已提交评估申请',
    created_by: '张工',
    created_at: '2026-03-02T10:00:00+08:00',
    updated_at: '2026-03-05T09:30:00+08:00',
  },
];

/** The detail the core would give for a requirement of the fixture. */
export function detailOf(id: string, over: Partial<RequirementDetail> = {}): RequirementDetail {
  for (const p of library.packs) {
    for (const s of p.sections) {
      const r = s.requirements.find((x) => x.id === id);
      if (!r) continue;
      const st = statuses.find((x) => x.requirement === id)!;
      return {
        pack: { id: p.id, title: p.title, doc_number: p.doc_number, provenance: p.provenance },
        section: { id: s.id, clause: s.clause, title: s.title },
        requirement: r,
        status: st,
        evidence:
          id === 'GB1-01'
            ? [
                {
                  id: 1,
                  title: '安全管理制度汇编',
                  method: 'examine',
                  note: '',
                  collected_at: '2026-03-01T09:00:00+08:00',
                  collected_by: '张工',
                  revision: 1,
                  original_name: 'policy.pdf',
                  original_path: '/home/a/policy.pdf',
                  size: 2048,
                  modified_at: null,
                  sha256: 'ab'.repeat(32),
                  sm3: 'cd'.repeat(32),
                  requirements: ['GB1-01'],
                },
              ]
            : [],
        findings: findings.filter((f) => f.requirement === id),
        mappings:
          id === 'GB1-01'
            ? [
                {
                  theme: 'X01',
                  theme_title: { zh: '安全组织', en: 'Security organisation' },
                  other: 'BJ-01',
                  other_pack: 'BJ',
                  other_title: R.b1.title,
                  relation: 'equal',
                  relation_label: { zh: '等同', en: 'equal' },
                  note: null,
                  other_verdict: 'conform',
                },
              ]
            : [],
        condition_answers: id === 'BJ-02' ? [{ question: 'has_ota', label: { zh: '是否提供远程升级', en: 'Offers OTA' }, answer: false }] : [],
        ...over,
      };
    }
  }
  throw new Error('no requirement ' + id);
}

export function makeState(over: Partial<ProjectState> = {}): ProjectState {
  return {
    library,
    settings: { lang: 'zh', assessor: '张工', seal: null },
    project,
    statuses,
    scores,
    refresh: vi.fn(async () => undefined),
    gotoRequirement: vi.fn(),
    reportError: vi.fn(),
    ...over,
  };
}

export function renderScreen(ui: ReactElement, state: ProjectState, lang: Lang = 'zh') {
  return render(
    <ConfigProvider locale={zhCN}>
      <AntApp>
        <LangContext.Provider value={lang}>
          <ProjectContext.Provider value={state}>{ui}</ProjectContext.Provider>
        </LangContext.Provider>
      </AntApp>
    </ConfigProvider>,
  );
}
