// The parsed output of a test tool stored beside an evidence item (SBOM,
// vulnerability scan, port scan): what the core read from it, shown beside
// the evidence, and the modal the checklist opens when an inferred verdict
// names the evidence it came from (`evidence:12`).
import { useEffect, useState } from 'react';
import { Descriptions, Empty, Modal, Spin, Table, Tag, Typography } from 'antd';
import { api, type ScanSummary as Stored } from '../api';
import { useT } from '../i18n';

const SEV_COLOR: Record<string, string> = { critical: 'magenta', high: 'red', medium: 'orange', low: 'blue' };

export function ScanSummaryView({ summary }: { summary: Stored }) {
  const { t } = useT();
  const s = summary.summary;
  const counts = new Map<string, { open: number; handled: number }>();
  for (const v of s.vulnerabilities) {
    const c = counts.get(v.severity) ?? { open: 0, handled: 0 };
    if (v.handled) c.handled += 1;
    else c.open += 1;
    counts.set(v.severity, c);
  }
  const open = s.hosts.flatMap((h) => h.ports.filter((p) => p.state === 'open').map((p) => ({ ...p, host: h.address })));
  return (
    <div data-testid={`scan-summary-${summary.evidence_id}`}>
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label={t('格式', 'Format')}>
          <span data-testid="scan-kind">{s.kind}</span>
          {s.format_version ? ` ${s.format_version}` : ''}
        </Descriptions.Item>
        <Descriptions.Item label={t('工具', 'Tool')}>{s.tool ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('对象', 'Target')}>{s.target ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('扫描日期', 'Scanned')}>{s.scanned_at ? s.scanned_at.slice(0, 10) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('组件', 'Components')}>
          <span data-testid="scan-components">{s.components.length}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('漏洞', 'Vulnerabilities')}>
          <span data-testid="scan-vulns">
            {s.vulnerability_scan || s.vulnerabilities.length
              ? [...counts.entries()].map(([sev, c]) => (
                  <Tag key={sev} color={SEV_COLOR[sev] ?? 'default'}>
                    {sev} {c.open}
                    {c.handled ? t(`（已处置 ${c.handled}）`, ` (handled ${c.handled})`) : ''}
                  </Tag>
                ))
              : t('不是漏洞扫描', 'not a vulnerability scan')}
            {(s.vulnerability_scan || s.vulnerabilities.length > 0) && s.vulnerabilities.length === 0 ? t('未发现', 'none found') : null}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('开放端口', 'Open ports')} span={2}>
          <span data-testid="scan-ports">
            {s.hosts.length || s.declared_ports.length
              ? open.map((p) => `${p.host}:${p.port}/${p.protocol}${p.service ? ` ${p.service}` : ''}`).join('，') || t('无', 'none')
              : '—'}
          </span>
        </Descriptions.Item>
      </Descriptions>
      {s.vulnerabilities.length > 0 && (
        <Table
          size="small"
          style={{ marginTop: 8 }}
          rowKey={(v) => `${v.id}|${v.package}|${v.installed_version ?? ''}`}
          pagination={s.vulnerabilities.length > 8 ? { pageSize: 8, size: 'small' } : false}
          dataSource={s.vulnerabilities}
          columns={[
            { title: 'ID', dataIndex: 'id', render: (v: string) => <span className="mono">{v}</span> },
            { title: t('等级', 'Severity'), dataIndex: 'severity', render: (v: string) => <Tag color={SEV_COLOR[v] ?? 'default'}>{v}</Tag> },
            { title: t('组件', 'Package'), render: (_, v) => `${v.package} ${v.installed_version ?? ''}` },
            { title: t('修复版本', 'Fixed in'), dataIndex: 'fixed_version', render: (v: string | null) => v ?? '—' },
          ]}
        />
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t(`第 ${summary.revision} 版的解析结果`, `Parsed from revision ${summary.revision}`)}
      </Typography.Text>
    </div>
  );
}

/** Loads and shows the parsed summary of one evidence item. */
export function ScanSummaryLoader({ id, quiet = false }: { id: number; quiet?: boolean }) {
  const { t, tx } = useT();
  const [state, setState] = useState<{ id: number; s: Stored | null } | null>(null);
  const [error, setError] = useState<{ zh: string; en: string } | null>(null);
  useEffect(() => {
    let live = true;
    setState(null);
    setError(null);
    api
      .evidenceSummary(id)
      .then((s) => live && setState({ id, s }))
      .catch((e: { zh?: string; en?: string }) => live && setError({ zh: e?.zh ?? String(e), en: e?.en ?? String(e) }));
    return () => {
      live = false;
    };
  }, [id]);
  if (error) return <Typography.Text type="danger">{tx(error)}</Typography.Text>;
  if (!state) return <Spin size="small" />;
  if (!state.s) return quiet ? null : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('不是可解析的工具输出', 'Not a tool output the app reads')} />;
  return <ScanSummaryView summary={state.s} />;
}

export function EvidenceSummaryModal({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t } = useT();
  return (
    <Modal open={id != null} onCancel={onClose} footer={null} width={760} title={t(`证据 #${id ?? ''} 的工具输出`, `Tool output of evidence #${id ?? ''}`)} destroyOnHidden>
      {id != null && <ScanSummaryLoader id={id} />}
    </Modal>
  );
}
