// 核验文件: for whoever receives a signed report (PDF) or a filing package
// (zip): pick the file (or drop it on the window), choose which CAs to
// trust, see every check. Works with no project open.
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Checkbox, Empty, Space, Tag, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, FileSearchOutlined } from '@ant-design/icons';
import { api, onDrop, type IdentityInfo, type PdfValidation, type SignatureStatus, type SigTimes, type Text as TextT, type VerifyFileResult } from '../api';
import { useT } from '../i18n';
import { useApp } from '../appctx';

export function Verify() {
  const { reportError } = useApp();
  const { t, tx } = useT();
  const [identities, setIdentities] = useState<IdentityInfo[] | null>(null);
  const [trust, setTrust] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<VerifyFileResult | null>(null);

  useEffect(() => {
    api
      .identities()
      .then(setIdentities)
      .catch((e) => {
        reportError(e);
        setIdentities([]);
      });
  }, [reportError]);

  const verify = async (how: 'pick' | 'dropped', anchors: string[]) => {
    setBusy(true);
    try {
      const r = how === 'pick' ? await api.verifyPick(anchors) : await api.verifyDropped(anchors);
      if (r) setResult(r);
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };
  const pick = () => verify('pick', trust);

  // A file dropped on the window while this screen is shown is verified at
  // once, against the trust anchors chosen at that moment.
  const dropRef = useRef<(names: string[]) => void>(() => undefined);
  dropRef.current = (names) => {
    if (names.length > 0) void verify('dropped', trust);
  };
  useEffect(() => {
    let off: (() => void) | undefined;
    let live = true;
    onDrop((names) => dropRef.current(names))
      .then((u) => {
        if (live) off = u;
        else u();
      })
      .catch(() => undefined);
    return () => {
      live = false;
      off?.();
    };
  }, []);

  const v = result?.verification ?? null;
  const pdf = result?.pdf ?? null;
  const head = v
    ? { ok: v.ok, verdict: v.verdict, kind: v.kind, trusted: v.trusted }
    : pdf
      ? { ok: pdf.ok, verdict: pdf.verdict, kind: 'pdf', trusted: pdf.ok && pdf.trust_checked }
      : null;
  const fileName = result ? result.file.split(/[\\/]/).pop() || result.file : '';
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Card size="small" title={t('核验签名报告或备案包', 'Verify a signed report or a filing package')}>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t(
            '选择收到的 PDF 报告或备案包（.zip）。核验只读取文件，不做任何修改，也不联网。',
            'Choose a received PDF report or filing package (.zip). Verification only reads the file, changes nothing and uses no network.',
          )}
        </Typography.Paragraph>
        <Typography.Text strong>{t('信任的签发机构（信任锚）', 'Trusted issuers (trust anchors)')}</Typography.Text>
        <div style={{ margin: '4px 0 8px' }}>
          {identities === null ? null : identities.length === 0 ? (
            <Typography.Text type="secondary" data-testid="verify-no-trust">
              {t('本机没有签名身份可作信任锚。', 'No identity on this computer to use as a trust anchor.')}
            </Typography.Text>
          ) : (
            <Checkbox.Group
              value={trust}
              onChange={(v) => setTrust(v as string[])}
              data-testid="verify-trust"
              style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
              options={identities.map((i) => ({
                value: i.name,
                label: (
                  <span>
                    {i.name}{' '}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {i.organisation || i.subject}
                    </Typography.Text>
                  </span>
                ),
              }))}
            />
          )}
        </div>
        <Alert
          type={trust.length ? 'success' : 'info'}
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="verify-trust-note"
          title={
            trust.length
              ? t('将核对签名者的证书是否由所选机构签发。', 'The signer’s certificate will be checked against the chosen issuers.')
              : t(
                  '未选择信任锚：只核验完整性（文件未被改动、签名与内容一致），不核验是谁签的。',
                  'No trust anchor chosen: only integrity is checked (nothing changed, signatures match the content), not who signed.',
                )
          }
        />
        <Space wrap>
          <Button type="primary" icon={<FileSearchOutlined />} loading={busy} onClick={pick} data-testid="verify-pick">
            {t('选择文件并核验…', 'Choose a file and verify…')}
          </Button>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="verify-drop-hint">
            {t('或把文件拖到窗口上，立即核验。', 'or drop the file on the window to verify it at once.')}
          </Typography.Text>
        </Space>
      </Card>

      {result && head ? (
        <Card size="small" data-testid="verify-result" title={t('核验结果', 'Result')}>
          <div
            style={{
              display: 'flex',
              alignItems: 'center',
              gap: 16,
              padding: '12px 16px',
              borderRadius: 6,
              background: head.ok ? '#f6ffed' : '#fff1f0',
              border: `1px solid ${head.ok ? '#b7eb8f' : '#ffa39e'}`,
            }}
          >
            {head.ok ? <CheckCircleFilled style={{ fontSize: 40, color: '#389e0d' }} /> : <CloseCircleFilled style={{ fontSize: 40, color: '#cf1322' }} />}
            <div style={{ minWidth: 0 }}>
              <div data-testid="verify-verdict" data-ok={head.ok ? 'true' : 'false'} style={{ fontSize: 20, fontWeight: 600, color: head.ok ? '#237804' : '#a8071a' }}>
                {tx(head.verdict)}
              </div>
              <Typography.Text className="mono" title={result.file} data-testid="verify-file">
                {fileName}
              </Typography.Text>
              <div style={{ marginTop: 4 }}>
                <Tag data-testid="verify-kind">{head.kind === 'pdf' ? t('PDF 签名报告', 'Signed PDF report') : head.kind === 'package' ? t('备案包', 'Filing package') : head.kind}</Tag>
                {pdf && (
                  <Tag data-testid="verify-revisions">
                    {t(`${pdf.revisions} 个版本`, `${pdf.revisions} revision(s)`)}
                  </Tag>
                )}
                {head.trusted ? (
                  <Tag color="green">{t('已核对签发机构', 'Issuer checked')}</Tag>
                ) : head.ok ? (
                  <Tag color="default">{t('仅完整性（未核对签名者身份）', 'Integrity only (signer not checked)')}</Tag>
                ) : null}
              </div>
            </div>
          </div>
          {pdf && <PdfSignatures pdf={pdf} times={result.pdf_times} zone={result.zone} />}
          {v && <ul style={{ listStyle: 'none', padding: 0, margin: '12px 0 0' }} data-testid="verify-checks">
            {v.checks.map((c, i) => (
              <li key={i} data-testid="verify-check" data-ok={c.ok ? 'true' : 'false'} style={{ padding: '6px 0', borderTop: i ? '1px solid #f0f0f0' : undefined }}>
                <span style={{ color: c.ok ? '#389e0d' : '#cf1322', fontWeight: 600, marginInlineEnd: 6 }} aria-label={c.ok ? t('通过', 'passed') : t('未通过', 'failed')}>
                  {c.ok ? '✓' : '✗'}
                </span>
                <Typography.Text strong={!c.ok}>{tx(c.what)}</Typography.Text>
                {c.detail.length > 0 && (
                  <ul style={{ margin: '2px 0 0', paddingInlineStart: 28, maxHeight: 160, overflow: 'auto' }}>
                    {c.detail.map((d, j) => (
                      <li key={j} className="mono" style={{ color: c.ok ? '#595959' : '#a8071a' }}>
                        {d}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>}
        </Card>
      ) : (
        <Card size="small">
          <Empty description={t('尚未核验文件', 'No file verified yet')} />
        </Card>
      )}

      <Card size="small" title={t('用标准工具复核', 'Re-check with standard tools')} data-testid="verify-tools">
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 6 }}>
          {t('核验结果不必只信本软件，以下通用工具可独立复核：', 'You need not rely on this app alone; these common tools check the same things independently:')}
        </Typography.Paragraph>
        <ul style={{ margin: 0, paddingInlineStart: 20, fontSize: 13 }}>
          <li>
            {t('PDF 报告（PAdES 签名）：', 'PDF report (PAdES signature): ')}
            <span className="mono">pdfsig report.pdf</span> {t('或', 'or')} <span className="mono">pyhanko sign validate --trust certs/ca.pem report.pdf</span>
          </li>
          <li>
            {t('备案包清单签名（CMS）：', 'Package manifest signature (CMS): ')}
            <span className="mono">openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json -CAfile certs/ca.pem -purpose any</span>
          </li>
          <li>
            {t('文件哈希：', 'File hashes: ')}
            <span className="mono">sha256sum -c SHA256SUMS</span> {t('；SM3：', '; SM3: ')}
            <span className="mono">openssl dgst -sm3 FILE</span> {t('（与 manifest.json 比对）', '(compare with manifest.json)')}
          </li>
          <li>{t('包内 VERIFY.txt 列出了完整的复核步骤（含 SM2 签名）。', 'VERIFY.txt inside the package lists every step (SM2 signature included).')}</li>
        </ul>
      </Card>
    </Space>
  );
}

const STATUS: Record<SignatureStatus, { label: TextT; color: string }> = {
  valid: { label: { zh: '有效', en: 'valid' }, color: 'green' },
  modified_after_signing: { label: { zh: '签名后被修改', en: 'modified after signing' }, color: 'red' },
  untrusted: { label: { zh: '签署人不受信任', en: 'signer not trusted' }, color: 'orange' },
  unsupported: { label: { zh: '不支持的签名', en: 'unsupported' }, color: 'default' },
  invalid: { label: { zh: '无效', en: 'invalid' }, color: 'red' },
};

/** Each signature of a PDF: signer, sub-filter, what it covers and what
 * later revisions changed, integrity, trust, timestamp and signing time (in
 * the zone named). */
export function PdfSignatures({ pdf, times, zone }: { pdf: PdfValidation; times: SigTimes[]; zone: string }) {
  const { t, tx } = useT();
  const yes = (b: boolean) => (b ? t('✓ 是', '✓ yes') : t('✗ 否', '✗ no'));
  return (
    <div data-testid="verify-signatures" style={{ marginTop: 12 }}>
      {pdf.notes.map((n, i) => (
        <Alert key={i} type="warning" showIcon style={{ marginBottom: 8 }} title={tx(n)} />
      ))}
      {pdf.signatures.map((c, i) => {
        const st = STATUS[c.status] ?? STATUS.invalid;
        const cov = c.coverage;
        const covers = cov.entire_file
          ? t('整个文件', 'the entire file')
          : cov.revision != null
            ? t(`第 ${cov.revision} 版（共 ${cov.revisions} 版）`, `revision ${cov.revision} of ${cov.revisions}`)
            : t('不是完整的某一版（签名范围异常）', 'not a whole revision (unusual signed range)');
        const tm = times[i] ?? { claimed: null, cms_signing_time: null, timestamp: null };
        const signingTime = tm.cms_signing_time ?? tm.claimed;
        return (
          <Card
            key={i}
            size="small"
            type="inner"
            style={{ marginBottom: 8 }}
            data-testid={`verify-sig-${i}`}
            data-status={c.status}
            title={
              <Space wrap>
                <span>
                  {c.kind === 'document_timestamp' ? t('文档时间戳', 'Document timestamp') : t('签名', 'Signature')} {i + 1}
                  {c.field ? ` · ${c.field}` : ''}
                </span>
                <Tag color={st.color} data-testid={`verify-sig-status-${i}`}>
                  {tx(st.label)}
                </Tag>
              </Space>
            }
          >
            <table style={{ fontSize: 13, borderSpacing: '8px 2px' }}>
              <tbody>
                <tr>
                  <td>{t('签署人', 'Signer')}</td>
                  <td data-testid={`verify-sig-signer-${i}`}>
                    {c.signer ? `${c.signer.common_name}${c.signer.organisation ? `（${c.signer.organisation}）` : ''}` : '—'}
                    {c.signer && (
                      <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 6 }}>
                        {t('签发者：', 'issuer: ')}
                        {c.signer.issuer}
                      </Typography.Text>
                    )}
                  </td>
                </tr>
                <tr>
                  <td>{t('格式', 'Sub-filter')}</td>
                  <td className="mono">
                    {c.subfilter} · {c.digest_algorithm} · {c.signature_algorithm}
                  </td>
                </tr>
                <tr>
                  <td>{t('覆盖范围', 'Covers')}</td>
                  <td data-testid={`verify-sig-coverage-${i}`}>
                    {covers}
                    {cov.later_changes.length > 0 && (
                      <ul style={{ margin: '2px 0 0', paddingInlineStart: 18 }} data-testid={`verify-sig-later-${i}`}>
                        {cov.later_changes.map((l, j) => (
                          <li key={j} style={{ color: l.allowed ? '#595959' : '#a8071a' }}>
                            {l.allowed ? t('允许：', 'allowed: ') : t('不允许：', 'not allowed: ')}
                            {tx(l.what)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
                <tr>
                  <td>{t('完整性', 'Integrity')}</td>
                  <td data-testid={`verify-sig-integrity-${i}`}>
                    {t('摘要一致', 'digest matches')} {yes(c.digest_ok)}；{t('签名值正确', 'signature value verifies')} {yes(c.signature_ok)}
                  </td>
                </tr>
                <tr>
                  <td>{t('信任', 'Trust')}</td>
                  <td data-testid={`verify-sig-trust-${i}`}>
                    {c.trusted == null ? t('未选择信任锚，未核对', 'not checked (no trust anchor chosen)') : c.trusted ? t('✓ 链接到所选信任锚', '✓ chains to a chosen anchor') : t('✗ 不链接到所选信任锚', '✗ does not chain to the chosen anchors')}
                  </td>
                </tr>
                <tr>
                  <td>{t('时间戳', 'Timestamp')}</td>
                  <td data-testid={`verify-sig-timestamp-${i}`}>
                    {c.timestamp
                      ? `${tm.timestamp ?? '—'} · ${c.timestamp.tsa} · ${c.timestamp.imprint_ok && c.timestamp.signature_ok ? t('✓ 正确', '✓ intact') : t('✗ 不正确', '✗ broken')}`
                      : t('无（签署时间仅为签署人自述）', 'none (the signing time is the signer’s claim)')}
                  </td>
                </tr>
                <tr>
                  <td>{t('签署时间', 'Signing time')}</td>
                  <td data-testid={`verify-sig-time-${i}`}>{signingTime ?? '—'}</td>
                </tr>
              </tbody>
            </table>
            {c.problems.map((p, j) => (
              <div key={j} style={{ color: '#a8071a' }}>
                ✗ {tx(p)}
              </div>
            ))}
            {c.notes.map((p, j) => (
              <div key={j} style={{ color: '#595959', fontSize: 12 }}>
                {tx(p)}
              </div>
            ))}
          </Card>
        );
      })}
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="verify-zone">
        {t(`时间按 ${zone} 显示`, `Times shown in ${zone}`)}
      </Typography.Text>
    </div>
  );
}
