import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { IdentityInfo, VerifyFileResult } from '../api';
import { Verify } from './Verify';
import { renderScreen } from './evidence/testkit';

const h = vi.hoisted(() => ({
  api: { identities: vi.fn(), verifyPick: vi.fn(), verifyDropped: vi.fn() },
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
  },  pdf: null,
  pdf_times: [],
  zone: 'Asia/Shanghai',
};

beforeEach(() => {
  h.api.identities.mockReset();
  h.api.verifyPick.mockReset();
  h.api.verifyDropped.mockReset();
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

test('a file dropped on the window is verified at once with the trust anchors chosen then', async () => {
  h.api.verifyDropped.mockResolvedValue(FAILED);
  renderScreen(<Verify />, { project: null });
  expect(screen.getByTestId('verify-drop-hint').textContent).toContain('拖到窗口上');
  const trust = await screen.findByTestId('verify-trust');
  await act(async () => {});
  fireEvent.click(trust.querySelector('input[value="机构签名"]')!);
  await waitFor(() => expect(screen.getByTestId('verify-trust-note').textContent).toContain('所选机构'));
  await waitFor(() => expect(h.drop.cb).not.toBeNull());
  act(() => h.drop.cb!(['备案包-r2.zip']));
  await waitFor(() => expect(h.api.verifyDropped).toHaveBeenCalledWith(['机构签名']));
  expect(h.api.verifyPick).not.toHaveBeenCalled();
  expect((await screen.findByTestId('verify-verdict')).textContent).toBe('核验未通过');
  expect(screen.getByTestId('verify-file').textContent).toBe('备案包-r2.zip');
});

test('a dropped file that cannot be verified is reported', async () => {
  const reportError = vi.fn();
  h.api.verifyDropped.mockRejectedValue({ zh: '/tmp/a.txt 既不是 PDF 也不是 ZIP 备案包', en: '/tmp/a.txt is neither a PDF nor a ZIP filing package' });
  renderScreen(<Verify />, { project: null, fns: { reportError } });
  await waitFor(() => expect(h.drop.cb).not.toBeNull());
  act(() => h.drop.cb!(['a.txt']));
  await waitFor(() => expect(reportError).toHaveBeenCalledWith({ zh: '/tmp/a.txt 既不是 PDF 也不是 ZIP 备案包', en: '/tmp/a.txt is neither a PDF nor a ZIP filing package' }));
  expect(screen.queryByTestId('verify-result')).toBeNull();
});

const SIGNED_TWICE: VerifyFileResult = {
  file: '/home/r/收件/报告-r2.pdf',
  verification: null,
  zone: 'Asia/Shanghai',
  pdf_times: [
    { claimed: '2026-12-06 09:30:05 (UTC+08:00)', cms_signing_time: '2026-12-06 09:30:05 (UTC+08:00)', timestamp: null },
    { claimed: null, cms_signing_time: '2026-12-07 10:00:00 (UTC+08:00)', timestamp: '2026-12-07 10:00:01 (UTC+08:00)' },
  ],
  pdf: {
    revisions: 3,
    recovered: false,
    trust_checked: true,
    notes: [],
    ok: false,
    verdict: { zh: '未通过：2 个签名中有 1 个未通过', en: 'FAILED: 1 of 2 signature(s) did not pass' },
    signatures: [
      {
        field: 'Signature1', kind: 'signature', subfilter: 'ETSI.CAdES.detached',
        signer: { common_name: '李评估', organisation: '某检测机构', subject: 'CN=李评估', issuer: 'CN=某检测机构 CA', serial: '01', cert_sha256: 'ab' },
        digest_algorithm: 'sha256', signature_algorithm: 'rsa', claimed_time: '2026-12-06T01:30:05Z', cms_signing_time: '2026-12-06T01:30:05Z', timestamp: null,
        coverage: { byte_range: [0, 1, 2, 3], byte_range_ok: true, revision: 1, revisions: 3, entire_file: false, modification_level: 'form_filling',
          later_changes: [{ allowed: true, level: 'form_filling', what: { zh: '第 2 版：增加签名 Signature2', en: 'revision 2: signature Signature2 added' } }] },
        digest_ok: true, signature_ok: true, trusted: true, recovered: false, status: 'valid', problems: [], notes: [],
      },
      {
        field: 'Signature2', kind: 'signature', subfilter: 'adbe.pkcs7.detached', signer: { common_name: '王审核', organisation: '', subject: 'CN=王审核', issuer: 'CN=他人 CA', serial: '02', cert_sha256: 'cd' },
        digest_algorithm: 'sha256', signature_algorithm: 'ecdsa', claimed_time: null, cms_signing_time: '2026-12-07T02:00:00Z',
        timestamp: { time: '2026-12-07T02:00:01Z', tsa: 'TSA', imprint_ok: true, signature_ok: true, trusted: null },
        coverage: { byte_range: [0, 1, 2, 3], byte_range_ok: true, revision: 2, revisions: 3, entire_file: false, modification_level: 'other',
          later_changes: [{ allowed: false, level: 'other', what: { zh: '第 3 版：页面内容被改', en: 'revision 3: page content changed' } }] },
        digest_ok: true, signature_ok: true, trusted: false, recovered: false, status: 'modified_after_signing',
        problems: [{ zh: '签名后文件被改动', en: 'changed after signing' }], notes: [],
      },
    ],
  },
};

test('a PDF shows each signature: signer, coverage with later changes, integrity, trust and local times', async () => {
  h.api.verifyPick.mockResolvedValue(SIGNED_TWICE);
  renderScreen(<Verify />, { project: null });
  fireEvent.click(screen.getByTestId('verify-pick'));
  const res = await screen.findByTestId('verify-result');
  expect(within(res).getByTestId('verify-verdict').textContent).toMatch(/^未通过/);
  expect(within(res).getByTestId('verify-revisions').textContent).toContain('3');
  expect(screen.getByTestId('verify-sig-0').getAttribute('data-status')).toBe('valid');
  expect(screen.getByTestId('verify-sig-status-0').textContent).toBe('有效');
  expect(screen.getByTestId('verify-sig-signer-0').textContent).toContain('李评估（某检测机构）');
  expect(screen.getByTestId('verify-sig-coverage-0').textContent).toContain('第 1 版（共 3 版）');
  expect(screen.getByTestId('verify-sig-later-0').textContent).toContain('允许：第 2 版：增加签名 Signature2');
  expect(screen.getByTestId('verify-sig-time-0').textContent).toBe('2026-12-06 09:30:05 (UTC+08:00)');
  expect(screen.getByTestId('verify-sig-status-1').textContent).toBe('签名后被修改');
  expect(screen.getByTestId('verify-sig-later-1').textContent).toContain('不允许：第 3 版：页面内容被改');
  expect(screen.getByTestId('verify-sig-trust-1').textContent).toContain('不链接');
  expect(screen.getByTestId('verify-sig-timestamp-1').textContent).toContain('2026-12-07 10:00:01 (UTC+08:00)');
  expect(screen.getByTestId('verify-zone').textContent).toContain('Asia/Shanghai');
  // No trailing-Z UTC instant on screen.
  expect(res.textContent).not.toMatch(/\d{2}:\d{2}:\d{2}Z/);
  expect(screen.queryByTestId('verify-checks')).toBeNull();
});
