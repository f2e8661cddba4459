// One key of a PKCS#12 file as Settings (import) and Export (signing key) show it.
import { Tag, Typography } from 'antd';
import type { KeyView } from '../api';
import { useT } from '../i18n';

/** One key of a PKCS#12 file: alias, subject, type, fingerprint, why it cannot sign. */
export function KeyLabel({ k }: { k: KeyView }) {
  const { t, tx } = useT();
  return (
    <span>
      #{k.index} {k.alias ? <strong>{k.alias}</strong> : null} {k.subject_cn && <span>CN={k.subject_cn}</span>}
      {k.organisation && <span>, O={k.organisation}</span>}{' '}
      <Tag style={{ marginInlineEnd: 4 }}>{k.key}</Tag>
      {k.fingerprint_sha256 && (
        <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }} title={k.fingerprint_sha256}>
          SHA-256 {k.fingerprint_sha256.slice(0, 16)}…
        </Typography.Text>
      )}
      {k.problem && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {' '}
          {t('不能用于签名：', 'cannot sign: ')}
          {tx(k.problem)}
        </Typography.Text>
      )}
    </span>
  );
}
