// 证据: add files (native drop, file/folder chooser), the evidence table
// with hashes and linked requirements, preview, link/unlink, and a full
// re-hash of the vault (SHA-256 + SM3). The table shows one page at a time:
// paging, sorting and search run in SQL (evidence_page), so 100,000 items
// cost no more to show than 20.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Drawer, Empty, Input, Modal, Result, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType, SorterResult } from 'antd/es/table/interface';
import {
  CheckCircleOutlined,
  EyeOutlined,
  FileAddOutlined,
  FolderAddOutlined,
  InboxOutlined,
  LinkOutlined,
  SafetyOutlined,
} from '@ant-design/icons';
import { api, onDrop, type AddResult, type EvidenceItem, type EvidencePage, type EvidenceSort, type Preview, type VerifyOutcome } from '../api';
import { formatSize, useT } from '../i18n';
import { isFrozen, useProject } from '../store';
import { EvidenceDetails } from './evidence/Details';
import { ScanSummaryLoader } from '../components/ScanSummary';
import { Hash } from './evidence/Hash';
import { ReqInput, findRequirement, useRequirementIndex } from './evidence/ReqInput';

type Busy = null | 'dropped' | 'files' | 'folder' | 'verify' | 'link' | 'unlink' | 'list';

/** Typing pauses this long before the search goes to the database (ms). */
export const SEARCH_DEBOUNCE_MS = 150;

/** The table's view of the list: which page, in which order, filtered how. */
interface View {
  current: number;
  pageSize: number;
  sort: EvidenceSort;
  descending: boolean;
  search: string;
}

/**
 * The search text, debounced: a change after a pause (a paste, the first
 * key) goes at once; changes closer than `ms` together wait until typing
 * pauses for `ms`, so a burst of keys costs one query, not one per key.
 */
function useDebounced(value: string, ms: number): string {
  const [v, setV] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (value === v) return;
    const now = Date.now();
    const idle = now - last.current > ms;
    last.current = now;
    // Clearing the box shows everything at once.
    if (value === '' || idle) {
      setV(value);
      return;
    }
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, v, ms]);
  return v;
}

export function Evidence() {
  const { project, statuses, refresh, gotoRequirement, reportError } = useProject();
  const { t, tx } = useT();
  const { message, modal } = App.useApp();
  const frozen = isFrozen(project);
  const index = useRequirementIndex(statuses);

  const [data, setData] = useState<EvidencePage | null>(null);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState<Busy>(null);
  const [dropped, setDropped] = useState<string[]>([]);
  const [addReq, setAddReq] = useState('');
  const [addResult, setAddResult] = useState<AddResult | null>(null);
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);
  const [view, setView] = useState<View>({ current: 1, pageSize: 20, sort: 'id', descending: false, search: '' });
  const [outcome, setOutcome] = useState<VerifyOutcome | null>(null);
  const [preview, setPreview] = useState<{ item: EvidenceItem; data: Preview | null } | null>(null);
  const [linkFor, setLinkFor] = useState<EvidenceItem | null>(null);
  const [linkReq, setLinkReq] = useState('');

  // Only the answer to the latest request is shown (typing fires several).
  const seq = useRef(0);
  const load = useCallback(async () => {
    const n = ++seq.current;
    setLoading(true);
    try {
      const page = await api.evidencePage({
        offset: (view.current - 1) * view.pageSize,
        limit: view.pageSize,
        sort: view.sort,
        descending: view.descending,
        search: view.search,
        requirement: null,
      });
      if (n !== seq.current) return;
      // Past the end (rows went away, or a narrower search): go to the last page.
      if (page.items.length === 0 && page.total > 0 && view.current > 1) {
        const last = Math.max(1, Math.ceil(page.total / view.pageSize));
        setView((v) => ({ ...v, current: last }));
        return;
      }
      setData(page);
    } catch (e) {
      if (n !== seq.current) return;
      reportError(e);
      setData((prev) => prev ?? { items: [], total: 0, all: 0, offset: 0 });
    } finally {
      if (n === seq.current) setLoading(false);
    }
  }, [view, reportError]);

  useEffect(() => {
    load();
  }, [load]);

  // A new search starts at the first page.
  useEffect(() => setView((v) => (v.search === query ? v : { ...v, search: query, current: 1 })), [query]);

  // Files dropped anywhere on the window: Rust keeps the paths, we get the names.
  useEffect(() => {
    let off: (() => void) | undefined;
    let gone = false;
    onDrop((names) => {
      setDropped(names);
      setAddResult(null);
    })
      .then((u) => {
        if (gone) u();
        else off = u;
      })
      .catch(() => undefined);
    return () => {
      gone = true;
      if (off) off();
    };
  }, []);


  const addTarget = findRequirement(index, addReq);
  const addReqBad = addReq.trim() !== '' && !addTarget;

  const add = async (kind: 'dropped' | 'files' | 'folder') => {
    setBusy(kind);
    try {
      const req = addTarget ? addTarget.requirement : null;
      const r = kind === 'dropped' ? await api.evidenceAddDropped(req) : await api.evidenceAddPick(req, kind === 'folder');
      if (r.cancelled && r.added.length === 0 && r.failed.length === 0) return; // chooser closed
      if (kind === 'dropped') setDropped([]);
      setAddResult(r);
      setOutcome(null);
      await refresh();
      await load();
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(null);
    }
  };

  const verifyAll = async () => {
    setBusy('verify');
    try {
      setOutcome(await api.evidenceVerify());
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(null);
    }
  };

  const openPreview = async (item: EvidenceItem) => {
    setPreview({ item, data: null });
    try {
      const data = await api.evidencePreview(item.id);
      setPreview((p) => (p && p.item.id === item.id ? { item, data } : p));
    } catch (e) {
      reportError(e);
      setPreview(null);
    }
  };

  const link = async () => {
    if (!linkFor) return;
    const target = findRequirement(index, linkReq);
    if (!target) return;
    setBusy('link');
    try {
      await api.evidenceLink(linkFor.id, target.requirement);
      message.success(t(`已将证据 #${linkFor.id} 关联到 ${target.requirement}`, `Evidence #${linkFor.id} linked to ${target.requirement}`));
      setLinkFor(null);
      setLinkReq('');
      await refresh();
      await load();
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(null);
    }
  };

  const unlink = (item: EvidenceItem, req: string) => {
    modal.confirm({
      title: t('取消关联？', 'Unlink?'),
      content: t(`证据 #${item.id}「${item.title}」将不再作为 ${req} 的证据。文件本身保留在证据库中。`, `Evidence #${item.id} “${item.title}” will no longer support ${req}. The file stays in the vault.`),
      okText: t('取消关联', 'Unlink'),
      cancelText: t('返回', 'Back'),
      onOk: async () => {
        setBusy('unlink');
        try {
          await api.evidenceUnlink(item.id, req);
          await refresh();
          await load();
        } catch (e) {
          reportError(e);
        } finally {
          setBusy(null);
        }
      },
    });
  };

  const order = (key: EvidenceSort) => (view.sort === key ? (view.descending ? 'descend' : 'ascend') : null);
  const columns: ColumnsType<EvidenceItem> = [
    { title: 'ID', dataIndex: 'id', key: 'id', width: 72, sorter: true, sortOrder: order('id'), render: (id: number) => `#${id}` },
    {
      title: t('标题 / 原文件名', 'Title / original name'),
      key: 'title',
      sorter: true,
      sortOrder: order('title'),
      render: (_, e) => (
        <div style={{ minWidth: 0 }}>
          <Typography.Text strong ellipsis={{ tooltip: e.title }} style={{ display: 'block' }}>
            {e.title}
          </Typography.Text>
          <Typography.Text type="secondary" ellipsis={{ tooltip: e.original_path || e.original_name }} style={{ fontSize: 12, display: 'block' }}>
            {e.original_name}
          </Typography.Text>
        </div>
      ),
    },
    { title: t('大小', 'Size'), dataIndex: 'size', key: 'size', width: 86, sorter: true, sortOrder: order('size'), render: (n: number) => formatSize(n) },
    {
      title: t('采集', 'Collected'),
      key: 'collected_at',
      width: 150,
      sorter: true,
      sortOrder: order('collected_at'),
      render: (_, e) => (
        <div style={{ fontSize: 12, lineHeight: 1.4 }}>
          <div title={e.collected_at}>{e.collected_at.replace('T', ' ').slice(0, 19)}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {e.collected_by}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: t('哈希', 'Hashes'),
      key: 'hash',
      width: 190,
      render: (_, e) => (
        <div style={{ lineHeight: 1.5 }}>
          <div>
            <Hash value={e.sha256} label="SHA-256" keep={10} />
          </div>
          <div>
            <Hash value={e.sm3} label="SM3" keep={10} />
          </div>
        </div>
      ),
    },
    {
      title: t('关联要求', 'Requirements'),
      key: 'reqs',
      width: 210,
      render: (_, e) => (
        <Space size={[2, 4]} wrap>
          {e.requirements.map((r) => {
            const s = index.get(r);
            return (
              <Tooltip key={r} title={s ? `${s.clause} ${tx(s.title)}` : r}>
                <Tag
                  color="blue"
                  style={{ cursor: 'pointer', marginInlineEnd: 0 }}
                  closable={!frozen}
                  closeIcon={<span data-testid={`evidence-unlink-${e.id}-${r}`}>×</span>}
                  onClose={(ev) => {
                    ev.preventDefault();
                    ev.stopPropagation();
                    unlink(e, r);
                  }}
                  onClick={() => gotoRequirement(r)}
                  data-testid={`evidence-req-${e.id}-${r}`}
                >
                  {r}
                </Tag>
              </Tooltip>
            );
          })}
          {e.requirements.length === 0 && <Typography.Text type="secondary">—</Typography.Text>}
        </Space>
      ),
    },
    { title: t('版本', 'Rev.'), dataIndex: 'revision', key: 'revision', width: 64, sorter: true, sortOrder: order('revision'), render: (r: number) => `r${r}` },
    {
      title: t('操作', 'Actions'),
      key: 'actions',
      width: 84,
      render: (_, e) => (
        <Space size={0}>
          <Tooltip title={t('预览', 'Preview')}>
            <Button type="text" size="small" icon={<EyeOutlined />} onClick={() => openPreview(e)} data-testid={`evidence-preview-${e.id}`} aria-label={t('预览', 'Preview')} />
          </Tooltip>
          <Tooltip title={frozen ? t('项目已批准，不能修改', 'Project approved: frozen') : t('关联到要求', 'Link to a requirement')}>
            <Button
              type="text"
              size="small"
              icon={<LinkOutlined />}
              disabled={frozen}
              onClick={() => {
                setLinkFor(e);
                setLinkReq('');
              }}
              data-testid={`evidence-link-${e.id}`}
              aria-label={t('关联到要求', 'Link to a requirement')}
            />
          </Tooltip>
        </Space>
      ),
    },
  ];

  const adding = busy === 'dropped' || busy === 'files' || busy === 'folder';
  const linkTarget = findRequirement(index, linkReq);

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      {frozen && (
        <Alert
          type="info"
          showIcon
          title={t('项目已批准并冻结：不能添加证据或修改关联。如需修改，请在“审核与导出”中重新打开。', 'The project is approved and frozen: evidence cannot be added or relinked. Reopen it under “Review & export” to make changes.')}
          data-testid="evidence-frozen"
        />
      )}

      <Card size="small" title={t('添加证据', 'Add evidence')}>
        <div
          data-testid="evidence-dropzone"
          style={{
            border: '2px dashed #b7c6dc',
            borderRadius: 6,
            padding: '12px 16px',
            background: dropped.length ? '#eef4fb' : '#fafbfc',
            display: 'flex',
            gap: 16,
            alignItems: 'flex-start',
            flexWrap: 'wrap',
          }}
        >
          <InboxOutlined style={{ fontSize: 32, color: '#165DAA' }} />
          <div style={{ flex: '1 1 300px', minWidth: 0 }}>
            <Typography.Text strong>{t('将文件或文件夹拖到窗口即可添加', 'Drop files or folders anywhere on the window')}</Typography.Text>
            <br />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('添加时同时计算 SHA-256 与 SM3，文件复制进项目的证据库，原文件不变。', 'SHA-256 and SM3 are computed while each file is copied into the project vault; the originals are not touched.')}
            </Typography.Text>
            {dropped.length > 0 && (
              <div data-testid="evidence-dropped" style={{ marginTop: 8 }}>
                <Typography.Text>{t(`已拖入 ${dropped.length} 项：`, `${dropped.length} dropped:`)}</Typography.Text>
                <div style={{ maxHeight: 96, overflow: 'auto', marginTop: 4 }}>
                  {dropped.slice(0, 50).map((n, i) => (
                    <Tag key={i} style={{ marginBottom: 4 }}>
                      {n}
                    </Tag>
                  ))}
                  {dropped.length > 50 && <Typography.Text type="secondary">{t(`等 ${dropped.length} 项`, `and ${dropped.length - 50} more`)}</Typography.Text>}
                </div>
              </div>
            )}
          </div>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('添加时关联到要求（可选）', 'Link to a requirement when adding (optional)')}
            </Typography.Text>
            <ReqInput index={index} value={addReq} onChange={setAddReq} testid="evidence-add-requirement" disabled={frozen || adding} width={240} />
          </div>
        </div>
        <Space wrap style={{ marginTop: 12 }}>
          {dropped.length > 0 && (
            <Button
              type="primary"
              icon={<InboxOutlined />}
              loading={busy === 'dropped'}
              disabled={frozen || addReqBad || (adding && busy !== 'dropped')}
              onClick={() => add('dropped')}
              data-testid="evidence-add-dropped"
            >
              {t(`添加拖入的 ${dropped.length} 项`, `Add the ${dropped.length} dropped`)}
            </Button>
          )}
          {dropped.length > 0 && (
            <Button onClick={() => setDropped([])} disabled={adding} data-testid="evidence-drop-clear">
              {t('清除', 'Clear')}
            </Button>
          )}
          <Button icon={<FileAddOutlined />} loading={busy === 'files'} disabled={frozen || addReqBad || (adding && busy !== 'files')} onClick={() => add('files')} data-testid="evidence-add-files">
            {t('选择文件…', 'Choose files…')}
          </Button>
          <Button icon={<FolderAddOutlined />} loading={busy === 'folder'} disabled={frozen || addReqBad || (adding && busy !== 'folder')} onClick={() => add('folder')} data-testid="evidence-add-folder">
            {t('选择文件夹…', 'Choose a folder…')}
          </Button>
        </Space>

        {addResult && <AddSummary r={addResult} onClose={() => setAddResult(null)} />}
      </Card>

      <Card
        size="small"
        title={
          <Space>
            {t('证据库', 'Evidence vault')}
            <Typography.Text type="secondary" style={{ fontWeight: 'normal' }} data-testid="evidence-count">
              {data ? (view.search ? t(`${data.total} / ${data.all} 项`, `${data.total} / ${data.all} items`) : t(`共 ${data.all} 项`, `${data.all} items`)) : ''}
            </Typography.Text>
          </Space>
        }
        extra={
          <Space>
            <Input.Search
              allowClear
              placeholder={t('搜索标题、文件名、哈希、要求…', 'Search title, file, hash, requirement…')}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              style={{ width: 280 }}
              data-testid="evidence-search"
            />
            <Button icon={<SafetyOutlined />} loading={busy === 'verify'} disabled={busy !== null && busy !== 'verify'} onClick={verifyAll} data-testid="evidence-verify">
              {t('核验全部证据', 'Verify all evidence')}
            </Button>
          </Space>
        }
      >
        {outcome && <VerifySummary o={outcome} onClose={() => setOutcome(null)} />}
        {data === null ? (
          <div style={{ textAlign: 'center', padding: 32 }}>
            <Spin />
          </div>
        ) : (
          <Table<EvidenceItem>
            size="small"
            rowKey="id"
            tableLayout="fixed"
            columns={columns}
            dataSource={data.items}
            loading={loading && { delay: 200 }}
            data-testid="evidence-table"
            onRow={(e) => ({ 'data-testid': `evidence-row-${e.id}` }) as React.HTMLAttributes<HTMLElement>}
            onChange={(pagination, _filters, sorter, extra) => {
              if (extra.action === 'sort') {
                const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<EvidenceItem>;
                const key = s && s.order ? (String(s.columnKey) as EvidenceSort) : 'id';
                setView((v) => ({ ...v, current: 1, sort: key, descending: !!s && s.order === 'descend' }));
              } else if (extra.action === 'paginate') {
                setView((v) => ({ ...v, current: pagination.current ?? 1, pageSize: pagination.pageSize ?? v.pageSize }));
              }
            }}
            pagination={{
              current: view.current,
              pageSize: view.pageSize,
              total: data.total,
              showSizeChanger: true,
              pageSizeOptions: [20, 50, 100],
              showTotal: (n) => t(`共 ${n} 项`, `${n} items`),
            }}
            locale={{ emptyText: <Empty description={view.search ? t('没有匹配的证据', 'No matching evidence') : t('还没有证据。把文件拖到窗口，或点击“选择文件”。', 'No evidence yet. Drop files on the window or choose files.')} /> }}
          />
        )}
      </Card>

      <Drawer
        open={preview !== null}
        onClose={() => setPreview(null)}
        size={640}
        title={preview ? `#${preview.item.id} ${preview.item.title}` : ''}
        destroyOnHidden
      >
        {preview && (
          <PreviewBody
            item={preview.item}
            data={preview.data}
            frozen={frozen}
            reportError={reportError}
            onSaved={(item) => {
              setPreview((p) => (p && p.item.id === item.id ? { ...p, item } : p));
              message.success(t('已保存证据信息', 'Evidence details saved'));
              void load();
            }}
          />
        )}
      </Drawer>

      <Modal
        open={linkFor !== null}
        title={linkFor ? t(`关联证据 #${linkFor.id} 到要求`, `Link evidence #${linkFor.id} to a requirement`) : ''}
        onCancel={() => setLinkFor(null)}
        onOk={link}
        okText={t('关联', 'Link')}
        cancelText={t('取消', 'Cancel')}
        okButtonProps={{ disabled: !linkTarget || frozen, loading: busy === 'link', 'data-testid': 'evidence-link-ok' }}
        destroyOnHidden
      >
        {linkFor && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text type="secondary">{linkFor.original_name}</Typography.Text>
            <ReqInput index={index} value={linkReq} onChange={setLinkReq} testid="evidence-link-input" onEnter={link} width="100%" />
            {linkFor.requirements.length > 0 && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('已关联：', 'Already linked: ')}
                {linkFor.requirements.join(', ')}
              </Typography.Text>
            )}
          </Space>
        )}
      </Modal>
    </Space>
  );
}

function AddSummary({ r, onClose }: { r: AddResult; onClose: () => void }) {
  const { t, tx, lang } = useT();
  const dedup = r.added.filter((a) => a.deduplicated).length;
  const type = r.failed.length === 0 ? 'success' : r.added.length === 0 ? 'error' : 'warning';
  return (
    <Alert
      style={{ marginTop: 12 }}
      type={type}
      showIcon
      closable={{ onClose }}
      data-testid="evidence-add-result"
      title={
        <span>
          <span data-testid="evidence-added-count">{t(`已添加 ${r.added.length} 项`, `Added ${r.added.length}`)}</span>
          {dedup > 0 && t(`（其中 ${dedup} 项内容已在证据库中，未重复存储）`, ` (${dedup} with content already in the vault, stored once)`)}
          {r.failed.length > 0 && <span data-testid="evidence-failed-count">{t(`，失败 ${r.failed.length} 项`, `, ${r.failed.length} failed`)}</span>}
          {r.cancelled && t('，操作已取消（之前已完成的保留）', '; cancelled (what was done before is kept)')}
        </span>
      }
      description={
        r.failed.length > 0 ? (
          <div style={{ maxHeight: 180, overflow: 'auto' }}>
            {r.failed.map((f, i) => (
              <div key={i} data-testid="evidence-failed-item" style={{ marginBottom: 4 }}>
                <span className="mono">{f.path}</span>
                <br />
                <Typography.Text type="danger" title={lang === 'en' ? f.error.zh : f.error.en}>
                  {tx(f.error)}
                </Typography.Text>
              </div>
            ))}
          </div>
        ) : undefined
      }
    />
  );
}

function VerifySummary({ o, onClose }: { o: VerifyOutcome; onClose: () => void }) {
  const { t } = useT();
  const good = o.missing.length === 0 && o.modified.length === 0 && o.unexpected.length === 0;
  return (
    <div data-testid="evidence-verify-result" data-ok={good ? 'true' : 'false'} style={{ marginBottom: 12, border: `1px solid ${good ? '#b7eb8f' : '#ffa39e'}`, borderRadius: 6, background: good ? '#f6ffed' : '#fff1f0' }}>
      <Result
        status={good ? 'success' : 'error'}
        style={{ padding: '12px 16px' }}
        title={good ? t('证据库完好', 'The vault is intact') : t('证据库有问题', 'The vault has problems')}
        subTitle={t(
          `已重新计算 ${o.checked} 个存储文件的 SHA-256 与 SM3，${o.ok} 个一致。`,
          `Re-hashed ${o.checked} stored files (SHA-256 and SM3); ${o.ok} match.`,
        )}
        extra={
          <Button size="small" onClick={onClose}>
            {t('关闭', 'Close')}
          </Button>
        }
      />
      {!good && (
        <div style={{ padding: '0 16px 12px', maxHeight: 280, overflow: 'auto' }}>
          {o.missing.length > 0 && (
            <Problem testid="verify-missing" title={t(`缺失的文件（${o.missing.length}）`, `Missing files (${o.missing.length})`)}>
              {o.missing.map(([sha, names]) => (
                <li key={sha}>
                  {names.join('；')} <Hash value={sha} keep={16} />
                </li>
              ))}
            </Problem>
          )}
          {o.modified.length > 0 && (
            <Problem testid="verify-modified" title={t(`被修改的文件（${o.modified.length}）`, `Modified files (${o.modified.length})`)}>
              {o.modified.map(([sha, what, names]) => (
                <li key={sha}>
                  {names.join('；')} — <Typography.Text type="danger">{what}</Typography.Text> <Hash value={sha} keep={16} />
                </li>
              ))}
            </Problem>
          )}
          {o.unexpected.length > 0 && (
            <Problem testid="verify-unexpected" title={t(`证据库中无记录对应的文件（${o.unexpected.length}）`, `Files in the vault no record refers to (${o.unexpected.length})`)}>
              {o.unexpected.map((p) => (
                <li key={p} className="mono">
                  {p}
                </li>
              ))}
            </Problem>
          )}
        </div>
      )}
    </div>
  );
}

function Problem({ title, testid, children }: { title: string; testid: string; children: React.ReactNode }) {
  return (
    <div data-testid={testid} style={{ marginTop: 8 }}>
      <Typography.Text strong type="danger">
        {title}
      </Typography.Text>
      <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>{children}</ul>
    </div>
  );
}

function PreviewBody({
  item,
  data,
  frozen,
  reportError,
  onSaved,
}: {
  item: EvidenceItem;
  data: Preview | null;
  frozen: boolean;
  reportError: (e: unknown) => void;
  onSaved: (i: EvidenceItem) => void;
}) {
  const { t, tx } = useT();
  const pre: React.CSSProperties = { whiteSpace: 'pre-wrap', wordBreak: 'break-word', background: '#fafafa', border: '1px solid #f0f0f0', padding: 12, maxHeight: '60vh', overflow: 'auto', fontSize: 12 };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="evidence-preview">
      <div style={{ fontSize: 12 }}>
        <div>
          {item.original_name} · {formatSize(item.size)} · r{item.revision}
        </div>
        <div>
          <Hash value={item.sha256} label="SHA-256" keep={24} />
        </div>
        <div>
          <Hash value={item.sm3} label="SM3" keep={24} />
        </div>
        {item.note && <div>{item.note}</div>}
      </div>
      <EvidenceDetails key={`${item.id}-${item.doc_version ?? ''}-${item.issuer ?? ''}`} item={item} frozen={frozen} onSaved={onSaved} reportError={reportError} />
      <div data-testid="evidence-scan-summary">
        <ScanSummaryLoader id={item.id} quiet />
      </div>
      {data === null ? (
        <div style={{ textAlign: 'center', padding: 32 }}>
          <Spin />
        </div>
      ) : data.kind === 'image' ? (
        <img src={data.data_url} alt={data.name} style={{ maxWidth: '100%', border: '1px solid #f0f0f0' }} data-testid="evidence-preview-image" />
      ) : data.kind === 'pdf' ? (
        <>
          <Typography.Text>
            <CheckCircleOutlined /> {t(`PDF，共 ${data.pages} 页；以下为提取的文字：`, `PDF, ${data.pages} pages; extracted text:`)}
          </Typography.Text>
          <pre style={pre} data-testid="evidence-preview-text">
            {data.text || t('（没有可提取的文字，可能是扫描件）', '(no extractable text; perhaps a scan)')}
          </pre>
        </>
      ) : data.kind === 'text' ? (
        <>
          {data.truncated && <Typography.Text type="secondary">{t('仅显示文件开头部分。', 'Only the beginning of the file is shown.')}</Typography.Text>}
          <pre style={pre} data-testid="evidence-preview-text">
            {data.text}
          </pre>
        </>
      ) : (
        <Alert type="info" showIcon title={t('无法在应用内预览', 'No preview in the app')} description={<span data-testid="evidence-preview-reason">{tx(data.reason)}</span>} />
      )}
    </Space>
  );
}
