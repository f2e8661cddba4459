import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { IdentityInfo, VerifyFileResult } from '../api';
import { Verify } from './Verify';
import { renderScreen } from './evidence/testkit';

const h = vi.hoisted(() => ({ api: { identities: vi.fn(), verifyPick: vi.fn() } }));

vi.mock('../api', async (orig) => ({
  ...(await orig<typeof import('../api')>()),
  api: h.api,
  onDrop: vi.fn(() => Promise.resolve(() => {})),
}));

function ident(name: string): IdentityInfo {
  return { name, subject: `CN=${name}`, organisation: '某检测机构', fingerprint_sha256: 'f'.repeat(64), key: 'RSA-3072', has_sm2: false, ca_pem: '-----BEGIN CERTIFICATE-----' };
}

const FAILED: VerifyFileResult = {
  file: '/home/r/收件/备案包-r2.zip',
  verification: {
    kind: 'package',
    ok: false,
    trusted: true,
    verdict: { zh: '核验未通过', en: 'Verification failed' },
    checks: [
      { what: { zh: '清单签名（CMS）', en: 'Manifest signature (CMS)' }, ok: true, detail: ['CN=机构签名'] },
      { what: { zh: '文件与清单一致', en: 'Files match the manifest' }, ok: false, detail: ['evidence/3-policy.pdf: SHA-256 不一致', 'extra.txt: 未列入清单'] },
    ],
  },
};

beforeEach(() => {
  h.api.identities.mockReset();
  h.api.verifyPick.mockReset();
  h.api.identities.mockResolvedValue([ident('机构签名'), ident('自查CA')]);
});

test('works with no project open, sends the chosen trust anchors and lists every check', async () => {
  h.api.verifyPick.mockResolvedValue(FAILED);
  renderScreen(<Verify />, { project: null });
  expect(screen.getByTestId('verify-trust-note').textContent).toContain('只核验完整性');
  const trust = await screen.findByTestId('verify-trust');
  await act(async () => {}); // let the checkboxes register with their group (a user is never that fast)
  expect(within(trust).getByText('自查CA')).toBeTruthy();
  fireEvent.click(trust.querySelector('input[value="自查CA"]')!);
  await waitFor(() => expect(screen.getByTestId('verify-trust-note').textContent).toContain('所选机构'));
  fireEvent.click(screen.getByTestId('verify-pick'));
  await waitFor(() => expect(h.api.verifyPick).toHaveBeenCalledWith(['自查CA']));

  const res = await screen.findByTestId('verify-result');
  const verdict = within(res).getByTestId('verify-verdict');
  expect(verdict.textContent).toBe('核验未通过');
  expect(verdict.getAttribute('data-ok')).toBe('false');
  expect(within(res).getByTestId('verify-file').textContent).toBe('备案包-r2.zip');
  expect(within(res).getByTestId('verify-kind').textContent).toBe('备案包');
  const checks = within(res).getAllByTestId('verify-check');
  expect(checks).toHaveLength(2);
  expect(checks[0].getAttribute('data-ok')).toBe('true');
  expect(checks[0].textContent).toContain('✓');
  expect(checks[0].textContent).toContain('清单签名（CMS）');
  expect(checks[1].getAttribute('data-ok')).toBe('false');
  expect(checks[1].textContent).toContain('✗');
  expect(within(checks[1]).getByText('evidence/3-policy.pdf: SHA-256 不一致')).toBeTruthy();
  expect(within(checks[1]).getByText('extra.txt: 未列入清单')).toBeTruthy();
});

test('without trust anchors an empty list is sent; a good PDF shows a passing verdict in English', async () => {
  h.api.verifyPick.mockResolvedValue({
    file: 'C:\\in\\report.pdf',
    verification: { kind: 'pdf', ok: true, trusted: false, verdict: { zh: '完整性核验通过', en: 'Integrity verified' }, checks: [{ what: { zh: '签名覆盖全文', en: 'Signature covers the whole file' }, ok: true, detail: [] }] },
  });
  renderScreen(<Verify />, { project: null, lang: 'en' });
  await screen.findByTestId('verify-trust');
  fireEvent.click(screen.getByTestId('verify-pick'));
  const verdict = await screen.findByTestId('verify-verdict');
  expect(h.api.verifyPick).toHaveBeenCalledWith([]);
  expect(verdict.textContent).toBe('Integrity verified');
  expect(verdict.getAttribute('data-ok')).toBe('true');
  expect(screen.getByTestId('verify-file').textContent).toBe('report.pdf');
  expect(screen.getByTestId('verify-kind').textContent).toBe('Signed PDF report');
  expect(screen.getByText('Signature covers the whole file')).toBeTruthy();
  expect(screen.getByTestId('verify-tools').textContent).toContain('pdfsig');
  expect(screen.getByTestId('verify-tools').textContent).toContain('openssl cms -verify');
});

test('a cancelled chooser leaves the screen as it was; errors are reported', async () => {
  const reportError = vi.fn();
  h.api.verifyPick.mockResolvedValueOnce(null);
  h.api.verifyPick.mockRejectedValueOnce({ zh: '不是有效的备案包', en: 'not a filing package' });
  renderScreen(<Verify />, { project: null, fns: { reportError } });
  fireEvent.click(screen.getByTestId('verify-pick'));
  await waitFor(() => expect(h.api.verifyPick).toHaveBeenCalledTimes(1));
  await waitFor(() => expect(screen.getByTestId('verify-pick').className).not.toContain('ant-btn-loading'));
  expect(screen.queryByTestId('verify-result')).toBeNull();
  fireEvent.click(screen.getByTestId('verify-pick'));
  await waitFor(() => expect(reportError).toHaveBeenCalledWith({ zh: '不是有效的备案包', en: 'not a filing package' }));
  expect(screen.queryByTestId('verify-result')).toBeNull();
});
