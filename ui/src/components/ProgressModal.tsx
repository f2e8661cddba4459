// One modal for every long operation: listens to `op-progress` from Rust,
// shows what is being worked on and lets the user cancel.
import { useEffect, useState } from 'react';
import { Button, Modal, Progress as Bar, Typography } from 'antd';
import { api, onProgress, type Progress } from '../api';
import { useT } from '../i18n';

const OP_LABEL: Record<string, [string, string]> = {
  ingest: ['正在添加证据（计算 SHA-256 与 SM3）', 'Adding evidence (SHA-256 and SM3)'],
  verify: ['正在核验证据库', 'Verifying the evidence vault'],
  report: ['正在生成并签署报告', 'Rendering and signing the report'],
  package: ['正在生成备案包', 'Building the filing package'],
  'verify-file': ['正在核验文件', 'Verifying the file'],
  'bundle-export': ['正在加密导出数据包', 'Encrypting the bundle'],
  'bundle-import': ['正在解密并检查数据包', 'Decrypting and checking the bundle'],
  'bundle-merge': ['正在解密并合并数据包', 'Decrypting and merging the bundle'],
  'project-clone': ['正在建立下一周期项目', 'Making the next cycle'],
};

// Bundles stop at the next 256 KiB buffer (the merge itself is one transaction, after decrypting).
const CANCELLABLE = new Set(['ingest', 'verify', 'bundle-export', 'bundle-import', 'bundle-merge']);

export function ProgressModal() {
  const { t } = useT();
  const [p, setP] = useState<Progress | null>(null);
  const [cancelling, setCancelling] = useState(false);

  useEffect(() => {
    let off: (() => void) | undefined;
    let hide: ReturnType<typeof setTimeout> | undefined;
    onProgress((ev) => {
      if (hide) clearTimeout(hide);
      if (ev.finished) {
        hide = setTimeout(() => {
          setP(null);
          setCancelling(false);
        }, 150);
      }
      setP(ev);
    })
      .then((u) => (off = u))
      .catch(() => undefined);
    return () => {
      if (off) off();
      if (hide) clearTimeout(hide);
    };
  }, []);

  if (!p) return null;
  const pct = p.total > 0 ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0;
  const [zh, en] = OP_LABEL[p.op] ?? ['正在处理', 'Working'];
  return (
    <Modal
      open
      closable={false}
      maskClosable={false}
      title={t(zh, en)}
      data-testid="progress-modal"
      footer={
        // Report and package rendering have no cancel point in the core.
        !CANCELLABLE.has(p.op) ? null : (
        <Button
          danger
          loading={cancelling}
          onClick={() => {
            setCancelling(true);
            api.cancel().catch(() => undefined);
          }}
        >
          {t('取消', 'Cancel')}
        </Button>
        )
      }
    >
      <Bar percent={pct} status={p.finished ? 'success' : 'active'} />
      <Typography.Text type="secondary">
        {p.total > 0 ? `${p.done} / ${p.total}` : ''} {p.label}
      </Typography.Text>
    </Modal>
  );
}
