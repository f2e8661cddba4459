import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { library, project } from './workspace/testFixture';
import { Home } from './Home';
import { AppContext } from '../appctx';
import { LangContext } from '../i18n';
import type { AppInfo } from '../api';

const mocks = vi.hoisted(() => ({ bundleImportPick: vi.fn() }));
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), api: mocks }));

const info: AppInfo = {
  version: '0',
  settings: { lang: 'zh', assessor: '张工', seal: null },
  recent: [],
  projects_dir: '/tmp',
  opened: null,
  startup_error: null,
} as unknown as AppInfo;

function renderHome(onOpened: () => void, reportError = vi.fn()) {
  render(
    <ConfigProvider locale={zhCN}>
      <AntApp>
        <LangContext.Provider value="zh">
          <AppContext.Provider value={{ library, settings: info.settings, saveSettings: vi.fn(), reportError }}>
            <Home info={info} onOpened={onOpened} />
          </AppContext.Provider>
        </LangContext.Provider>
      </AntApp>
    </ConfigProvider>,
  );
  return reportError;
}

beforeEach(() => {
  mocks.bundleImportPick = vi.fn();
});

test('import a bundle as a new project: asks the password, then opens what Rust made', async () => {
  const onOpened = vi.fn();
  mocks.bundleImportPick.mockResolvedValue({ ...project, dir: '/tmp/李工.iovaudit' });
  renderHome(onOpened);
  fireEvent.click(screen.getByTestId('home-import'));
  const pw = await screen.findByTestId('import-password');
  fireEvent.change(pw, { target: { value: 'secret' } });
  fireEvent.click(screen.getByText('选择数据包…'));
  await waitFor(() => expect(onOpened).toHaveBeenCalled());
  expect(mocks.bundleImportPick).toHaveBeenCalledWith('secret');
  expect(onOpened.mock.calls[0][0].dir).toBe('/tmp/李工.iovaudit');
});

test('a refused bundle is reported, nothing opened', async () => {
  const onOpened = vi.fn();
  const err = { zh: '密码错误', en: 'wrong password' };
  const calls: string[] = [];
  mocks.bundleImportPick = ((pw: string) => {
    calls.push(pw);
    return Promise.reject(err);
  }) as unknown as typeof mocks.bundleImportPick;
  const reportError = renderHome(onOpened);
  fireEvent.click(screen.getByTestId('home-import'));
  fireEvent.change(await screen.findByTestId('import-password'), { target: { value: 'bad' } });
  fireEvent.click(screen.getByText('选择数据包…'));
  await waitFor(() => expect(reportError).toHaveBeenCalled());
  expect(reportError.mock.calls[0][0]).toEqual(err);
  expect(calls).toEqual(['bad']);
  expect(onOpened).not.toHaveBeenCalled();
});
