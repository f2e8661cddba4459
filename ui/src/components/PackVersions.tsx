// 检查单版本: the project keeps the checklists it was assessed against. When
// the app's library holds a different content of one of the project's packs,
// say so, show the difference (from the core's upgrade dry run) and offer the
// upgrade; verdicts to re-judge after an upgrade are counted here too.
import { useEffect, useState } from 'react';
import { Alert, Button, Modal, Space, Tag, Typography } from 'antd';
import { api, type PackVersion, type UpgradeOutcome } from '../api';
import { useT } from '../i18n';
import { isFrozen, useProject } from '../store';


function Ids({ ids }: { ids: string[] }) {
  return (
    <span style={{ display: 'inline-flex', flexWrap: 'wrap', gap: 4 }}>
      {ids.map((id) => (
        <Tag key={id} style={{ marginInlineEnd: 0 }}>
          {id}
        </Tag>
      ))}
    </span>
  );
}

/** The difference and what an upgrade would do, as the core computed it. */
export function UpgradeDiff({ out }: { out: UpgradeOutcome }) {
  const { t, tx } = useT();
  const d = out.diff;
  const row = (label: string, body: React.ReactNode, testid: string) => (
    <div style={{ display: 'flex', gap: 8, marginBottom: 6 }} data-testid={testid}>
      <div style={{ width: 110, flex: 'none', color: '#595959' }}>{label}</div>
      <div style={{ flex: 1, minWidth: 0 }}>{body}</div>
    </div>
  );
  return (
    <div style={{ maxHeight: 420, overflow: 'auto', fontSize: 13 }} data-testid="upgrade-diff">
      <Typography.Paragraph>
        {t(
          `${d.pack}：项目所用 ${d.from_version} 版 → 检查单库 ${d.to_version} 版；未变 ${d.unchanged} 项。`,
          `${d.pack}: the project's ${d.from_version} → the library's ${d.to_version}; ${d.unchanged} unchanged.`,
        )}
      </Typography.Paragraph>
      {d.added.length > 0 && row(t(`新增 ${d.added.length}`, `Added ${d.added.length}`), <Ids ids={d.added} />, 'diff-added')}
      {d.removed.length > 0 && row(t(`删除 ${d.removed.length}`, `Removed ${d.removed.length}`), <Ids ids={d.removed} />, 'diff-removed')}
      {d.changed.length > 0 &&
        row(
          t(`改变 ${d.changed.length}`, `Changed ${d.changed.length}`),
          d.changed.map((c) => (
            <div key={c.requirement}>
              <Tag>{c.requirement}</Tag>
              {tx(c.label)}
            </div>
          )),
          'diff-changed',
        )}
      {d.replaced.length > 0 &&
        row(
          t(`取代 ${d.replaced.length}`, `Replacing ${d.replaced.length}`),
          d.replaced.map((r) => (
            <div key={r.requirement}>
              <Tag color="blue">{r.requirement}</Tag>← {r.replaces.join(', ')}
            </div>
          )),
          'diff-replaced',
        )}
      {out.rejudge.length > 0 &&
        row(
          t(`待重新判定 ${out.rejudge.length}`, `To re-judge ${out.rejudge.length}`),
          <>
            <div style={{ color: '#8c8c8c' }}>
              {t('这些要求的原结论会保留，但须重新判定或确认后才计分、才能提交审核。', 'Their verdicts are kept but count, and allow submission, only once judged again or confirmed.')}
            </div>
            <Ids ids={out.rejudge} />
          </>,
          'diff-rejudge',
        )}
      {out.history.length > 0 &&
        row(
          t('保留为历史', 'Kept as history'),
          out.history.map((h) => (
            <div key={h.requirement}>
              <Tag>{h.requirement}</Tag>
              {t(`证据关联 ${h.evidence_links}，整改项 ${h.findings}`, `${h.evidence_links} evidence link(s), ${h.findings} finding(s)`)}
            </div>
          )),
          'diff-history',
        )}
    </div>
  );
}

export function PackVersions() {
  const { project, statuses, refresh, reportError } = useProject();
  const { t } = useT();
  const [versions, setVersions] = useState<PackVersion[]>([]);
  const [open, setOpen] = useState<{ pack: string; out: UpgradeOutcome } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .packVersions()
      .then((v) => live && setVersions(v))
      .catch((e) => live && reportError(e));
    return () => {
      live = false;
    };
  }, [project.meta.revision, project.meta.state, project.meta.packs, reportError]);

  const differing = versions.filter((v) => v.differs);
  const rejudge = statuses.filter((s) => s.recorded?.rejudge && !s.recorded.confirmed).length;
  const frozen = isFrozen(project);

  const show = async (pack: string) => {
    setBusy(true);
    try {
      setOpen({ pack, out: await api.packUpgrade(pack, true) });
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    if (!open) return;
    setBusy(true);
    try {
      await api.packUpgrade(open.pack, false);
      setOpen(null);
      await refresh();
      setVersions(await api.packVersions());
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };

  if (differing.length === 0 && rejudge === 0) return null;
  return (
    <>
      {differing.map((v) => (
        <Alert
          key={v.pack}
          type="warning"
          showIcon
          data-testid={'pack-differs-' + v.pack}
          title={t(
            `检查单库中的 ${v.pack} 为 ${v.library_version ?? '—'} 版，与本项目所用的 ${v.version} 版内容不同；项目继续按其保存的 ${v.version} 版评估。`,
            `The library holds ${v.pack} ${v.library_version ?? '—'}, which differs from the ${v.version} this project is assessed against; the project keeps using its stored ${v.version}.`,
          )}
          action={
            <Button size="small" loading={busy} onClick={() => show(v.pack)} data-testid={'pack-diff-' + v.pack}>
              {t('查看差异', 'Show the difference')}
            </Button>
          }
        />
      ))}
      {rejudge > 0 && (
        <Alert
          type="info"
          showIcon
          data-testid="rejudge-count"
          title={t(
            `检查单升级后有 ${rejudge} 项结论待重新判定：重新判定或确认原结论后才计分，也才能提交审核。`,
            `${rejudge} verdict(s) must be judged again after a checklist upgrade; they count, and allow submission, only once judged or confirmed.`,
          )}
        />
      )}
      <Modal
        open={open !== null}
        title={t(`升级检查单 ${open?.pack ?? ''}`, `Upgrade pack ${open?.pack ?? ''}`)}
        onCancel={() => setOpen(null)}
        width={760}
        footer={
          <Space>
            <Button onClick={() => setOpen(null)}>{t('关闭', 'Close')}</Button>
            <Button
              type="primary"
              loading={busy}
              disabled={frozen}
              title={frozen ? t('项目已批准，请先重新打开', 'The project is approved; reopen it first') : undefined}
              onClick={apply}
              data-testid="pack-upgrade-apply"
            >
              {t(`升级到 ${open?.out.diff.to_version ?? ''} 版`, `Upgrade to ${open?.out.diff.to_version ?? ''}`)}
            </Button>
          </Space>
        }
      >
        {open && <UpgradeDiff out={open.out} />}
        {frozen && (
          <Alert type="info" showIcon title={t('项目已批准：如需升级，请先重新打开项目（新修订版）。', 'The project is approved: reopen it (new revision) to upgrade.')} />
        )}
      </Modal>
    </>
  );
}
