import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { IdentityInfo, KeyView, Settings } from '../api';
import { SettingsScreen } from './Settings';
import { renderScreen, settingsFixture } from './evidence/testkit';

const h = vi.hoisted(() => ({
  api: {
    identities: vi.fn(),
    templates: vi.fn(),
    appInfo: vi.fn(),
    sealPick: vi.fn(),
    identityCreate: vi.fn(),
    identityImportPick: vi.fn(),
    identityImportDropped: vi.fn(),
    identityImportPending: vi.fn(),
    identityDelete: vi.fn(),
    identitySetKey: vi.fn(),
  },
  drop: { cb: null as null | ((names: string[]) => void) },
}));

vi.mock('../api', async (orig) => ({
  ...(await orig<typeof import('../api')>()),
  api: h.api,
  onDrop: vi.fn((cb: (names: string[]) => void) => {
    h.drop.cb = cb;
    return Promise.resolve(() => {
      h.drop.cb = null;
    });
  }),
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
  h.api.identityImportPick.mockResolvedValueOnce({ status: 'cancelled' }).mockResolvedValueOnce({ status: 'imported', identity: { ...ID, name: '导入的' } });
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

/** The input of an antd Radio (the test id lands on the input or its wrapper). */
function radio(el: HTMLElement): HTMLInputElement {
  return (el.tagName === 'INPUT' ? el : el.querySelector('input')!) as HTMLInputElement;
}

function key(index: number, alias: string, extra: Partial<KeyView> = {}): KeyView {
  const fp = String(index).repeat(64);
  return { index, alias, subject_cn: `签名${index}`, organisation: '某检测机构', fingerprint_sha256: fp, key: 'RSA-2048', problem: null, selector: fp, ...extra };
}

test('a .p12 with several keys: the user chooses one, unusable keys cannot be chosen, the import finishes with it', async () => {
  const keys = [key(1, 'old-2024'), key(2, 'new-2026'), key(3, 'ed', { key: 'Ed25519', problem: { zh: '不支持的密钥类型', en: 'unsupported key type' }, fingerprint_sha256: null, selector: null })];
  h.api.identityImportPick.mockResolvedValue({ status: 'choose_key', file: 'org.p12', keys });
  const multi: IdentityInfo = { ...ID, name: '签名2', key_alias: keys[1].selector, keys };
  h.api.identityImportPending.mockResolvedValue({ status: 'imported', identity: multi });
  h.api.identities.mockResolvedValueOnce([ID]).mockResolvedValueOnce([ID, multi]);
  renderScreen(<SettingsScreen />, { project: null });
  await screen.findByText('机构签名');
  fireEvent.change(input('identity-import-password'), { target: { value: 'p12pw' } });
  fireEvent.click(screen.getByTestId('identity-import'));
  const box = await screen.findByTestId('identity-choose-key');
  expect(box.textContent).toContain('org.p12 含 3 个密钥');
  expect(box.textContent).toContain('new-2026');
  expect(box.textContent).toContain('不能用于签名：不支持的密钥类型');
  expect(radio(within(box).getByTestId('identity-key-3')).disabled).toBe(true);
  // The first usable key is preselected; choose the second.
  fireEvent.click(radio(within(box).getByTestId('identity-key-2')));
  fireEvent.click(screen.getByTestId('identity-import-key'));
  await waitFor(() => expect(h.api.identityImportPending).toHaveBeenCalledWith('p12pw', '2'.repeat(64)));
  expect((await screen.findByTestId('identity-created')).textContent).toContain('签名2');
  expect(screen.queryByTestId('identity-choose-key')).toBeNull();
  expect((await screen.findByTestId('identity-keys-签名2')).textContent).toContain('3 个密钥');
});

test('a .p12 dropped on the window is imported with the password typed', async () => {
  h.api.identityImportDropped
    .mockRejectedValueOnce({ zh: 'org.p12：密码错误', en: 'org.p12: wrong password' })
    .mockResolvedValueOnce({ status: 'imported', identity: { ...ID, name: '拖入的' } });
  const reportError = vi.fn();
  renderScreen(<SettingsScreen />, { project: null, fns: { reportError } });
  await screen.findByText('机构签名');
  await waitFor(() => expect(h.drop.cb).not.toBeNull());
  act(() => h.drop.cb!(['readme.txt', 'org.p12']));
  expect((await screen.findByTestId('identity-dropped')).textContent).toContain('org.p12');
  fireEvent.change(input('identity-import-password'), { target: { value: 'wrong' } });
  fireEvent.click(screen.getByTestId('identity-import-dropped'));
  await waitFor(() => expect(reportError).toHaveBeenCalledWith({ zh: 'org.p12：密码错误', en: 'org.p12: wrong password' }));
  // Still offered (Rust keeps the file): retry with the right password.
  fireEvent.change(input('identity-import-password'), { target: { value: 'right' } });
  fireEvent.click(screen.getByTestId('identity-import-dropped'));
  await waitFor(() => expect(h.api.identityImportDropped).toHaveBeenLastCalledWith('right'));
  expect((await screen.findByTestId('identity-created')).textContent).toContain('拖入的');
  expect(screen.queryByTestId('identity-dropped')).toBeNull();
});

test('deleting an identity asks first, then shows what is left', async () => {
  h.api.identityDelete.mockResolvedValue([]);
  renderScreen(<SettingsScreen />, { project: null });
  await screen.findByText('机构签名');
  fireEvent.click(screen.getByTestId('identity-delete-机构签名'));
  expect(await screen.findByText(/无法恢复/)).toBeTruthy();
  expect(h.api.identityDelete).not.toHaveBeenCalled();
  fireEvent.click(await screen.findByTestId('identity-delete-ok-机构签名'));
  await waitFor(() => expect(h.api.identityDelete).toHaveBeenCalledWith('机构签名'));
  await waitFor(() => expect(screen.getByTestId('identity-list').textContent).toContain('还没有签名身份'));
});

test('the default key of a multi-key identity can be changed, checked with its password', async () => {
  const keys = [key(1, 'old-2024'), key(2, 'new-2026')];
  const multi: IdentityInfo = { ...ID, name: '机构签名', key_alias: keys[0].selector, keys };
  h.api.identities.mockResolvedValue([multi]);
  h.api.identitySetKey.mockResolvedValue({ ...multi, subject: 'CN=签名2', fingerprint_sha256: '2'.repeat(64), key_alias: keys[1].selector });
  renderScreen(<SettingsScreen />, { project: null });
  fireEvent.click(await screen.findByTestId('identity-setkey-机构签名'));
  const panel = await screen.findByTestId('identity-setkey-panel');
  await waitFor(() => expect(radio(within(panel).getByTestId('identity-setkey-key-1')).checked).toBe(true));
  fireEvent.click(radio(within(panel).getByTestId('identity-setkey-key-2')));
  expect((screen.getByTestId('identity-setkey-save') as HTMLButtonElement).disabled).toBe(true); // no password yet
  fireEvent.change(input('identity-setkey-password'), { target: { value: 'pw' } });
  fireEvent.click(screen.getByTestId('identity-setkey-save'));
  await waitFor(() => expect(h.api.identitySetKey).toHaveBeenCalledWith('机构签名', 'pw', '2'.repeat(64)));
  await waitFor(() => expect(screen.queryByTestId('identity-setkey-panel')).toBeNull());
  expect(screen.getByTestId('identity-list').textContent).toContain('CN=签名2');
});
