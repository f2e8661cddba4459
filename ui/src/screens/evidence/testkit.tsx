// Test fixtures and a render wrapper for the screen tests (not used by the app).
import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { App as AntApp } from 'antd';
import type { Lang, ProjectView, Scores, Settings, Status, Tally } from '../../api';
import { AppContext, type AppState } from '../../appctx';
import { LangContext } from '../../i18n';
import { ProjectContext, type ProjectState } from '../../store';

export const settingsFixture: Settings = { lang: 'zh', assessor: '张三', seal: null };

export function projectFixture(over: Partial<ProjectView['meta']> = {}): ProjectView {
  return {
    dir: '/home/a/测试.iovaudit',
    meta: {
      name: '测试项目',
      assessee: '某车企',
      kind: 'third-party',
      organisation: '某检测机构',
      created_at: '2025-01-02T03:04:05+08:00',
      created_by: '张三',
      state: 'draft',
      revision: 1,
      state_by: null,
      state_at: null,
      snapshot_hash: null,
      packs: [['GB44495', '1.0']],
      ...over,
    },
    answers: {},
    evidence_count: 2,
    finding_count: 0,
  };
}

function status(id: string, clause: string, zh: string, verdict: Status['verdict'] = 'conform'): Status {
  return {
    pack: 'GB44495',
    section: 'GB44495-S5',
    requirement: id,
    clause,
    title: { zh, en: `EN ${zh}` },
    weight: 1,
    veto: false,
    obligation: 'mandatory',
    to_confirm: false,
    applicability: { status: 'applicable' },
    verdict,
    recorded: null,
    evidence: [],
  };
}

export const statusesFixture: Status[] = [
  status('GB44495-5-01', '5.1', '安全管理体系'),
  status('GB44495-5-02', '5.2', '漏洞管理'),
];

export function tally(over: Partial<Tally> = {}): Tally {
  return {
    conform: 2,
    partial: 0,
    nonconform: 0,
    not_applicable: 0,
    unassessed: 0,
    inferred_pending: 0,
    weight_judged: 2,
    earned: 2,
    score: 100,
    judged: 2,
    applicable: 2,
    ...over,
  };
}

export function scoresFixture(over: Partial<Tally> = {}, complete = true): Scores {
  return {
    packs: [
      { pack: 'GB44495', title: { zh: '汽车整车信息安全技术要求', en: 'Vehicle cybersecurity' }, tally: tally(over), band: null, conclusion: null, veto_failed: [], complete, sections: [] },
    ],
    overall: tally(over),
    conclusion: null,
    complete,
  };
}

export function renderScreen(
  ui: ReactNode,
  opts: {
    project?: ProjectView | null;
    statuses?: Status[];
    scores?: Scores;
    lang?: Lang;
    settings?: Settings;
    fns?: Partial<{ refresh: () => Promise<void>; gotoRequirement: (id: string) => void; reportError: (e: unknown) => void; saveSettings: (s: Settings) => Promise<void> }>;
  } = {},
) {
  const settings = opts.settings ?? settingsFixture;
  const lang = opts.lang ?? settings.lang;
  const reportError = opts.fns?.reportError ?? (() => undefined);
  const app: AppState = {
    library: { questions: [], packs: [], themes: [] },
    settings,
    saveSettings: opts.fns?.saveSettings ?? (() => Promise.resolve()),
    reportError,
  };
  const project = opts.project === undefined ? projectFixture() : opts.project;
  const ps: ProjectState | null = project
    ? {
        library: app.library,
        settings,
        project,
        statuses: opts.statuses ?? statusesFixture,
        scores: opts.scores ?? scoresFixture(),
        refresh: opts.fns?.refresh ?? (() => Promise.resolve()),
        gotoRequirement: opts.fns?.gotoRequirement ?? (() => undefined),
        reportError,
      }
    : null;
  return render(
    <AntApp>
      <LangContext.Provider value={lang}>
        <AppContext.Provider value={app}>
          <ProjectContext.Provider value={ps}>{ui}</ProjectContext.Provider>
        </AppContext.Provider>
      </LangContext.Provider>
    </AntApp>,
  );
}
