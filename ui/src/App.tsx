// The window: a side menu of screens, a header with the open project and
// the language switch, and the screen itself. Loads the library and the
// settings once; loads the project's statuses and scores on open/refresh.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Result, Segmented, Space, Spin, Tag, Typography } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import {
  AuditOutlined,
  IdcardOutlined,
  BarChartOutlined,
  FilterOutlined,
  FileProtectOutlined,
  FolderOpenOutlined,
  HomeOutlined,
  PaperClipOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import { api, errorText, type AppInfo, type Library, type ProjectView, type Scores, type Settings, type Status } from './api';
import { LangContext } from './i18n';
import { AppContext } from './appctx';
import { ProjectContext, type ProjectState } from './store';
import { ProgressModal } from './components/ProgressModal';
import { ScopeModal } from './components/ScopeModal';
import { Home } from './screens/Home';
import { Workspace } from './screens/Workspace';
import { Evidence } from './screens/Evidence';
import { Findings } from './screens/Findings';
import { Dashboard } from './screens/Dashboard';
import { Team } from './screens/Team';
import { Export } from './screens/Export';
import { Verify } from './screens/Verify';
import { ProjectInfo } from './screens/ProjectInfo';
import { setDisplayZone } from './screens/workspace/bits';
import { SettingsScreen } from './screens/Settings';
import { FONT_FAMILY, MONO_FAMILY } from './fonts';

export type ScreenKey = 'home' | 'info' | 'workspace' | 'evidence' | 'findings' | 'dashboard' | 'team' | 'export' | 'verify' | 'settings';

const STATE_TAG: Record<string, { color: string; zh: string; en: string }> = {
  draft: { color: 'blue', zh: '草稿', en: 'Draft' },
  in_review: { color: 'orange', zh: '审核中', en: 'In review' },
  approved: { color: 'green', zh: '已批准', en: 'Approved' },
};

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [library, setLibrary] = useState<Library | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [fatal, setFatal] = useState<unknown>(null);
  const [project, setProject] = useState<ProjectView | null>(null);
  const [statuses, setStatuses] = useState<Status[]>([]);
  const [scores, setScores] = useState<Scores | null>(null);
  const [screen, setScreen] = useState<ScreenKey>('home');
  const [focus, setFocus] = useState<string | null>(null);
  const lang = settings?.lang ?? 'zh';
  const t = (zh: string, en: string) => (lang === 'en' ? en : zh);

  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#165DAA', borderRadius: 4, fontFamily: FONT_FAMILY, fontFamilyCode: MONO_FAMILY } }}>
      <AntApp>
        <LangContext.Provider value={lang}>
          <Shell
            {...{ info, setInfo, library, setLibrary, settings, setSettings, fatal, setFatal, project, setProject }}
            {...{ statuses, setStatuses, scores, setScores, screen, setScreen, focus, setFocus, t }}
          />
        </LangContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}

// Split out so that `AntApp.useApp()` (message/notification with the theme) works.
function Shell(props: {
  info: AppInfo | null;
  setInfo: (i: AppInfo) => void;
  library: Library | null;
  setLibrary: (l: Library) => void;
  settings: Settings | null;
  setSettings: (s: Settings) => void;
  fatal: unknown;
  setFatal: (e: unknown) => void;
  project: ProjectView | null;
  setProject: (p: ProjectView | null) => void;
  statuses: Status[];
  setStatuses: (s: Status[]) => void;
  scores: Scores | null;
  setScores: (s: Scores | null) => void;
  screen: ScreenKey;
  setScreen: (s: ScreenKey) => void;
  focus: string | null;
  setFocus: (id: string | null) => void;
  t: (zh: string, en: string) => string;
}) {
  const { info, setInfo, library, setLibrary, settings, setSettings, fatal, setFatal, project, setProject } = props;
  const { statuses, setStatuses, scores, setScores, screen, setScreen, focus, setFocus, t } = props;
  const { notification, modal } = AntApp.useApp();
  const [scopeOpen, setScopeOpen] = useState(false);
  const lang = settings?.lang ?? 'zh';

  const reportError = useCallback(
    (e: unknown) => {
      const m = errorText(e);
      notification.error({
        message: lang === 'en' ? 'Error' : '出错了',
        description: <span data-testid="error-text">{lang === 'en' ? m.en : m.zh}</span>,
        duration: 8,
        placement: 'bottomRight',
      });
    },
    [notification, lang],
  );

  const loadProject = useCallback(
    async (p: ProjectView | null) => {
      setDisplayZone(p?.zone);
      if (!p) {
        setProject(null);
        setStatuses([]);
        setScores(null);
        return;
      }
      const [st, sc] = await Promise.all([api.statuses(), api.scores()]);
      setProject(p);
      setStatuses(st);
      setScores(sc);
    },
    [setProject, setStatuses, setScores],
  );

  useEffect(() => {
    (async () => {
      try {
        const [i, l] = await Promise.all([api.appInfo(), api.library()]);
        setInfo(i);
        setLibrary(l);
        setSettings(i.settings);
        if (i.startup_error) reportError(i.startup_error);
        if (i.opened) {
          try {
            await loadProject(i.opened);
            setScreen('workspace');
          } catch (e) {
            reportError(e);
          }
        }
      } catch (e) {
        setFatal(e);
      }
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const refresh = useCallback(async () => {
    try {
      const p = await api.projectView();
      await loadProject(p);
    } catch (e) {
      reportError(e);
    }
  }, [loadProject, reportError]);

  const opened = useCallback(
    async (p: ProjectView) => {
      try {
        await loadProject(p);
        setFocus(null);
        setScreen('workspace');
      } catch (e) {
        reportError(e);
      }
      api.appInfo().then(setInfo).catch(() => undefined);
    },
    [loadProject, setFocus, setScreen, setInfo, reportError],
  );

  const saveSettings = useCallback(
    async (s: Settings) => {
      try {
        const saved = await api.settingsSet(s);
        setSettings(saved);
      } catch (e) {
        reportError(e);
      }
    },
    [setSettings, reportError],
  );

  const appState = useMemo(
    () => (library && settings ? { library, settings, saveSettings, reportError } : null),
    [library, settings, saveSettings, reportError],
  );

  const projectState: ProjectState | null = useMemo(
    () =>
      project && library && settings && scores
        ? {
            library,
            settings,
            project,
            statuses,
            scores,
            refresh,
            reportError,
            gotoRequirement: (id: string) => {
              setFocus(id);
              setScreen('workspace');
            },
          }
        : null,
    [project, library, settings, scores, statuses, refresh, reportError, setFocus, setScreen],
  );

  if (fatal) {
    const m = errorText(fatal);
    return <Result status="error" title="无法启动 / Cannot start" subTitle={`${m.zh} / ${m.en}`} />;
  }
  if (!appState || !info) {
    return (
      <div style={{ height: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
        <Spin size="large" />
      </div>
    );
  }

  const closeProject = async () => {
    try {
      await api.projectClose();
      await loadProject(null);
      setScreen('home');
      setInfo(await api.appInfo());
    } catch (e) {
      reportError(e);
    }
  };

  const items = [
    ...(project
      ? [
          { key: 'info', icon: <IdcardOutlined />, label: t('项目信息', 'Project information') },
          { key: 'workspace', icon: <AuditOutlined />, label: t('检查清单', 'Checklist') },
          { key: 'evidence', icon: <PaperClipOutlined />, label: t('证据', 'Evidence') },
          { key: 'findings', icon: <ToolOutlined />, label: t('整改项', 'Findings') },
          { key: 'dashboard', icon: <BarChartOutlined />, label: t('仪表盘', 'Dashboard') },
          { key: 'team', icon: <TeamOutlined />, label: t('协作', 'Team') },
          { key: 'export', icon: <FileProtectOutlined />, label: t('审核与导出', 'Review & export') },
        ]
      : [{ key: 'home', icon: <HomeOutlined />, label: t('首页', 'Home') }]),
    { key: 'verify', icon: <SafetyCertificateOutlined />, label: t('核验文件', 'Verify a file') },
    { key: 'settings', icon: <SettingOutlined />, label: t('设置', 'Settings') },
  ];

  let body: React.ReactNode;
  if (screen === 'verify') body = <Verify />;
  else if (screen === 'settings') body = <SettingsScreen />;
  else if (!projectState || screen === 'home') body = <Home info={info} onOpened={opened} />;
  else if (screen === 'info') body = <ProjectInfo />;
  else if (screen === 'workspace') body = <Workspace focus={focus} onFocus={setFocus} />;
  else if (screen === 'evidence') body = <Evidence />;
  else if (screen === 'findings') body = <Findings />;
  else if (screen === 'dashboard') body = <Dashboard />;
  else if (screen === 'team') body = <Team onOpened={opened} />;
  else body = <Export />;

  const st = project ? STATE_TAG[project.meta.state] : null;
  return (
    <AppContext.Provider value={appState}>
      <ProjectContext.Provider value={projectState}>
        <Layout style={{ height: '100vh' }}>
          <Layout.Sider width={180} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
            <div style={{ padding: '14px 16px', fontWeight: 600, color: '#165DAA', lineHeight: 1.3 }}>
              {t('车联网安全合规', 'IoV Compliance')}
              <br />
              {t('评估工作台', 'Audit Workbench')}
            </div>
            <Menu
              mode="inline"
              selectedKeys={[screen === 'home' && project ? 'workspace' : screen]}
              items={items.map((i) => ({ ...i, 'data-testid': `nav-${i.key}` }))}
              onClick={(e) => setScreen(e.key as ScreenKey)}
              style={{ borderInlineEnd: 'none' }}
            />
          </Layout.Sider>
          <Layout>
            <Layout.Header
              style={{ background: '#fff', padding: '0 16px', height: 48, lineHeight: '48px', borderBottom: '1px solid #f0f0f0', display: 'flex', alignItems: 'center', gap: 12 }}
            >
              {project ? (
                <>
                  <Typography.Text strong ellipsis style={{ maxWidth: 560 }} data-testid="project-name" title={project.dir}>
                    {project.meta.name}
                  </Typography.Text>
                  {st && (
                    <Tag color={st.color} data-testid="project-state">
                      {t(st.zh, st.en)}
                      {project.meta.revision > 1 ? ` R${project.meta.revision}` : ''}
                    </Tag>
                  )}
                  <Button size="small" icon={<FilterOutlined />} onClick={() => setScopeOpen(true)} data-testid="open-scope">
                    {t('适用范围', 'Scope')}
                  </Button>
                  <Button size="small" icon={<FolderOpenOutlined />} onClick={() => modal.confirm({ title: t('关闭当前项目？', 'Close this project?'), onOk: closeProject })} data-testid="close-project">
                    {t('关闭项目', 'Close project')}
                  </Button>
                </>
              ) : (
                <Typography.Text type="secondary">{t('未打开项目', 'No project open')}</Typography.Text>
              )}
              <div style={{ flex: 1 }} />
              <Space>
                <Segmented
                  size="small"
                  value={lang}
                  data-testid="lang-switch"
                  options={[
                    { label: '中文', value: 'zh' },
                    { label: 'English', value: 'en' },
                  ]}
                  onChange={(v) => saveSettings({ ...appState.settings, lang: v as 'zh' | 'en' })}
                />
              </Space>
            </Layout.Header>
            <Layout.Content style={{ overflow: 'auto', padding: 16, background: '#f5f6f8' }} data-testid={`screen-${screen}`}>
              {body}
            </Layout.Content>
          </Layout>
        </Layout>
        <ProgressModal />
        {projectState && scopeOpen && <ScopeModal open onClose={() => setScopeOpen(false)} />}
      </ProjectContext.Provider>
    </AppContext.Provider>
  );
}
