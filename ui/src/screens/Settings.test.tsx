import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { IdentityInfo, Settings } from '../api';
import { SettingsScreen } from './Settings';
import { renderScreen, settingsFixture } from './evidence/testkit';

const h = vi.hoisted(() => ({
  api: { identities: vi.fn(), templates: vi.fn(), appInfo: vi.fn(), sealPick: vi.fn(), identityCreate: vi.fn(), identityImportPick: vi.fn() },
}));

vi.mock('../api', async (orig) => ({
  ...(await orig<typeof import('../api')>()),
  api: h.api,
  onDrop: vi.fn(() => Promise.resolve(() => {})),
}));

const ID: IdentityInfo = {
  name: '机构签名',
  subject: 'CN=机构签名,O=某检测机构',
  organisation: '某检测机构',
  fingerprint_sha256: '0123456789abcdef'.repeat(4),
  key: 'ECDSA P-256',
  has_sm2: true,
  ca_pem: '-----BEGIN CERTIFICATE-----',
};

function input(testid: string): HTMLInputElement {
  const el = screen.getByTestId(testid);
  return (el.tagName === 'INPUT' ? el : el.querySelector('input')!) as HTMLInputElement;
}

beforeEach(() => {
  Object.values(h.api).forEach((f) => f.mockReset());
  h.api.identities.mockResolvedValue([ID]);
  h.api.templates.mockResolvedValue([{ name: 'default', builtin: true, description: { zh: '默认报告模板', en: 'Default report' } }]);
  h.api.appInfo.mockResolvedValue({ version: '0.3.1', settings: settingsFixture, recent: [], projects_dir: '/home/a', opened: null });
});

test('lists identities, templates and the version with no project open', async () => {
  renderScreen(<SettingsScreen />, { project: null });
  const list = await screen.findByTestId('identity-list');
  await waitFor(() => expect(within(list).getByText('机构签名')).toBeTruthy());
  expect(list.textContent).toContain('CN=机构签名,O=某检测机构');
  expect(list.textContent).toContain('ECDSA P-256');
  expect(list.textContent).toContain('含 SM2');
  expect(list.querySelector(`[data-hash="${ID.fingerprint_sha256}"]`)).not.toBeNull();
  expect((await screen.findByTestId('template-list')).textContent).toContain('默认报告模板');
  await waitFor(() => expect(screen.getByTestId('settings-version').textContent).toBe('0.3.1'));
});

test('create-identity refuses mismatched passwords without calling the API', async () => {
  renderScreen(<SettingsScreen />, { project: null });
  await screen.findByText('机构签名');
  fireEvent.change(input('identity-name'), { target: { value: '自查CA' } });
  fireEvent.change(input('identity-org'), { target: { value: '某车企' } });
  fireEvent.change(input('identity-password'), { target: { value: 'correct horse' } });
  fireEvent.change(input('identity-password2'), { target: { value: 'correct hoarse' } });
  fireEvent.click(screen.getByTestId('identity-create'));
  expect(screen.getByTestId('identity-error').textContent).toContain('两次输入的密码不一致');
  expect(h.api.identityCreate).not.toHaveBeenCalled();
});

test('create-identity refuses a duplicate name and an empty password', async () => {
  renderScreen(<SettingsScreen />, { project: null });
  await screen.findByText('机构签名');
  fireEvent.change(input('identity-name'), { target: { value: '机构签名' } });
  fireEvent.click(screen.getByTestId('identity-create'));
  expect(screen.getByTestId('identity-error').textContent).toContain('已有同名身份');
  fireEvent.change(input('identity-name'), { target: { value: '新身份' } });
  fireEvent.click(screen.getByTestId('identity-create'));
  expect(screen.getByTestId('identity-error').textContent).toContain('请设置密码');
  expect(h.api.identityCreate).not.toHaveBeenCalled();
});

test('create-identity sends name, organisation, algorithm (P-256 by default), SM2 and password', async () => {
  const created: IdentityInfo = { ...ID, name: '自查CA', organisation: '某车企' };
  h.api.identityCreate.mockResolvedValue(created);
  h.api.identities.mockResolvedValueOnce([ID]).mockResolvedValueOnce([ID, created]);
  renderScreen(<SettingsScreen />, { project: null });
  await screen.findByText('机构签名');
  fireEvent.change(input('identity-name'), { target: { value: ' 自查CA ' } });
  fireEvent.change(input('identity-org'), { target: { value: '某车企' } });
  fireEvent.click(input('identity-sm2'));
  fireEvent.change(input('identity-password'), { target: { value: 'pw-123456' } });
  fireEvent.change(input('identity-password2'), { target: { value: 'pw-123456' } });
  fireEvent.click(screen.getByTestId('identity-create'));
  await waitFor(() => expect(h.api.identityCreate).toHaveBeenCalledWith({ name: '自查CA', org: '某车企', algo: 'p256', sm2: false, password: 'pw-123456' }));
  expect(await screen.findByTestId('identity-created')).toBeTruthy();
  await waitFor(() => expect(within(screen.getByTestId('identity-list')).getByText('自查CA')).toBeTruthy());
  expect(input('identity-password').value).toBe('');
});

test('RSA can be chosen', async () => {
  h.api.identityCreate.mockResolvedValue({ ...ID, name: 'r' });
  renderScreen(<SettingsScreen />, { project: null });
  await screen.findByText('机构签名');
  fireEvent.click(within(screen.getByTestId('identity-algo')).getByText('RSA-3072'));
  fireEvent.change(input('identity-name'), { target: { value: 'r' } });
  fireEvent.change(input('identity-password'), { target: { value: 'x' } });
  fireEvent.change(input('identity-password2'), { target: { value: 'x' } });
  fireEvent.click(screen.getByTestId('identity-create'));
  await waitFor(() => expect(h.api.identityCreate).toHaveBeenCalledWith(expect.objectContaining({ algo: 'rsa', sm2: true })));
});

test('import a .p12 with its password; a cancelled chooser adds nothing', async () => {
  h.api.identityImportPick.mockResolvedValueOnce(null).mockResolvedValueOnce({ ...ID, name: '导入的' });
  renderScreen(<SettingsScreen />, { project: null });
  await screen.findByText('机构签名');
  fireEvent.change(input('identity-import-password'), { target: { value: 'p12pw' } });
  fireEvent.click(screen.getByTestId('identity-import'));
  await waitFor(() => expect(h.api.identityImportPick).toHaveBeenCalledWith('p12pw'));
  await waitFor(() => expect(screen.getByTestId('identity-import').className).not.toContain('ant-btn-loading'));
  expect(screen.queryByTestId('identity-created')).toBeNull();
  fireEvent.click(screen.getByTestId('identity-import'));
  expect((await screen.findByTestId('identity-created')).textContent).toContain('导入的');
});

test('assessor name, language and seal are saved through saveSettings', async () => {
  const saved: Settings[] = [];
  const saveSettings = vi.fn(async (s: Settings) => {
    saved.push(s);
  });
  const withSeal: Settings = { ...settingsFixture, seal: '/app/seal.png' };
  h.api.sealPick.mockResolvedValue(withSeal);
  renderScreen(<SettingsScreen />, { project: null, fns: { saveSettings } });
  const save = screen.getByTestId('settings-assessor-save') as HTMLButtonElement;
  expect(save.disabled).toBe(true); // unchanged
  fireEvent.change(input('settings-assessor'), { target: { value: '王五 ' } });
  fireEvent.click(save);
  await waitFor(() => expect(saveSettings).toHaveBeenCalledWith({ lang: 'zh', assessor: '王五', seal: null }));

  fireEvent.click(within(screen.getByTestId('settings-lang')).getByText('English'));
  await waitFor(() => expect(saved.at(-1)).toEqual({ lang: 'en', assessor: '张三', seal: null }));

  fireEvent.click(screen.getByTestId('settings-seal'));
  await waitFor(() => expect(h.api.sealPick).toHaveBeenCalled());
  await waitFor(() => expect(saved.at(-1)).toEqual(withSeal));
});
