// 核验文件: for whoever receives a signed report (PDF) or a filing package
// (zip): pick the file, choose which CAs to trust, see every check.
// Works with no project open.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Checkbox, Empty, Space, Tag, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, FileSearchOutlined } from '@ant-design/icons';
import { api, type IdentityInfo, type VerifyFileResult } from '../api';
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

  const pick = async () => {
    setBusy(true);
    try {
      const r = await api.verifyPick(trust);
      if (r) setResult(r);
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };

  const v = result?.verification;
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
        <Button type="primary" icon={<FileSearchOutlined />} loading={busy} onClick={pick} data-testid="verify-pick">
          {t('选择文件并核验…', 'Choose a file and verify…')}
        </Button>
      </Card>

      {result && v ? (
        <Card size="small" data-testid="verify-result" title={t('核验结果', 'Result')}>
          <div
            style={{
              display: 'flex',
              alignItems: 'center',
              gap: 16,
              padding: '12px 16px',
              borderRadius: 6,
              background: v.ok ? '#f6ffed' : '#fff1f0',
              border: `1px solid ${v.ok ? '#b7eb8f' : '#ffa39e'}`,
            }}
          >
            {v.ok ? <CheckCircleFilled style={{ fontSize: 40, color: '#389e0d' }} /> : <CloseCircleFilled style={{ fontSize: 40, color: '#cf1322' }} />}
            <div style={{ minWidth: 0 }}>
              <div data-testid="verify-verdict" data-ok={v.ok ? 'true' : 'false'} style={{ fontSize: 20, fontWeight: 600, color: v.ok ? '#237804' : '#a8071a' }}>
                {tx(v.verdict)}
              </div>
              <Typography.Text className="mono" title={result.file} data-testid="verify-file">
                {fileName}
              </Typography.Text>
              <div style={{ marginTop: 4 }}>
                <Tag data-testid="verify-kind">{v.kind === 'pdf' ? t('PDF 签名报告', 'Signed PDF report') : v.kind === 'package' ? t('备案包', 'Filing package') : v.kind}</Tag>
                {v.trusted ? (
                  <Tag color="green">{t('已核对签发机构', 'Issuer checked')}</Tag>
                ) : v.ok ? (
                  <Tag color="default">{t('仅完整性（未核对签名者身份）', 'Integrity only (signer not checked)')}</Tag>
                ) : null}
              </div>
            </div>
          </div>
          <ul style={{ listStyle: 'none', padding: 0, margin: '12px 0 0' }} data-testid="verify-checks">
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
          </ul>
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
