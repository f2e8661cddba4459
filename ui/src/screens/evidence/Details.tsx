// The document details of an evidence item (文件版本, 出具方), editable in
// the preview drawer; saved through the core (journalled `evidence.set`).
import { useState } from 'react';
import { Button, Input, Space } from 'antd';
import { api, type EvidenceItem } from '../../api';
import { useT } from '../../i18n';

export function EvidenceDetails({
  item,
  frozen,
  onSaved,
  reportError,
}: {
  item: EvidenceItem;
  frozen: boolean;
  onSaved: (i: EvidenceItem) => void;
  reportError: (e: unknown) => void;
}) {
  const { t } = useT();
  const [docVersion, setDocVersion] = useState(item.doc_version ?? '');
  const [issuer, setIssuer] = useState(item.issuer ?? '');
  const [busy, setBusy] = useState(false);
  const dirty = docVersion.trim() !== (item.doc_version ?? '') || issuer.trim() !== (item.issuer ?? '');
  const save = async () => {
    setBusy(true);
    try {
      onSaved(await api.evidenceSetDetails(item.id, { doc_version: docVersion.trim(), issuer: issuer.trim() }));
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space wrap data-testid="evidence-details" style={{ fontSize: 12 }}>
      <Input
        size="small"
        style={{ width: 160 }}
        addonBefore={t('版本', 'Version')}
        value={docVersion}
        disabled={frozen}
        onChange={(e) => setDocVersion(e.target.value)}
        placeholder="V1.2"
        data-testid="evidence-doc-version"
      />
      <Input
        size="small"
        style={{ width: 260 }}
        addonBefore={t('出具方', 'Issuer')}
        value={issuer}
        disabled={frozen}
        onChange={(e) => setIssuer(e.target.value)}
        placeholder={t('如：被评估单位信息安全部', 'e.g. the assessed party’s security office')}
        data-testid="evidence-issuer"
      />
      <Button size="small" type="primary" disabled={frozen || !dirty} loading={busy} onClick={save} data-testid="evidence-details-save">
        {t('保存', 'Save')}
      </Button>
    </Space>
  );
}
