// 整改项: every finding of the project in a table, filtered by status and
// severity, with a drawer to create or edit one.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Drawer, Input, Segmented, Table, Tooltip, Typography, type TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { api, type Finding, type FindingStatus, type Severity } from '../api';
import { FINDING_STATUSES, SEVERITIES, useT } from '../i18n';
import { isFrozen, useProject } from '../store';
import { FindingEditor } from './workspace/FindingEditor';
import { FindingStatusTag, SeverityTag, shortTime, today } from './workspace/bits';

const SEV_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export function isOverdue(f: Finding, now = today()): boolean {
  return f.status === 'open' && !!f.due && f.due < now;
}

export function Findings() {
  const { statuses, project, refresh, gotoRequirement, reportError } = useProject();
  const { t, tx } = useT();
  const { message } = AntApp.useApp();
  const frozen = isFrozen(project);
  const [items, setItems] = useState<Finding[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [status, setStatus] = useState<FindingStatus | 'all'>('all');
  const [severity, setSeverity] = useState<Severity | 'all'>('all');
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<{ finding: Finding | null } | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setItems(await api.findings());
    } catch (e) {
      reportError(e);
    } finally {
      setLoading(false);
    }
  }, [reportError]);

  useEffect(() => {
    void load();
  }, [load]);

  const titles = useMemo(() => new Map(statuses.map((s) => [s.requirement, s.title])), [statuses]);
  const now = today();

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (items ?? []).filter(
      (f) =>
        (status === 'all' || f.status === status) &&
        (severity === 'all' || f.severity === severity) &&
        (!q ||
          f.title.toLowerCase().includes(q) ||
          f.requirement.toLowerCase().includes(q) ||
          f.owner.toLowerCase().includes(q) ||
          f.note.toLowerCase().includes(q)),
    );
  }, [items, status, severity, query]);

  const count = (pred: (f: Finding) => boolean) => (items ?? []).filter(pred).length;
  const overdue = count((f) => isOverdue(f, now));

  const columns: TableColumnsType<Finding> = [
    { title: '#', dataIndex: 'id', width: 56, sorter: (a, b) => a.id - b.id },
    {
      title: t('要求', 'Requirement'),
      dataIndex: 'requirement',
      width: 130,
      render: (r: string) => (
        <Tooltip title={tx(titles.get(r))}>
          <a
            className="mono"
            onClick={(e) => {
              e.stopPropagation();
              gotoRequirement(r);
            }}
            data-testid={'finding-goto-' + r}
          >
            {r}
          </a>
        </Tooltip>
      ),
    },
    { title: t('标题', 'Title'), dataIndex: 'title', ellipsis: true },
    {
      title: t('严重程度', 'Severity'),
      dataIndex: 'severity',
      width: 90,
      sorter: (a, b) => SEV_RANK[a.severity] - SEV_RANK[b.severity],
      render: (s: Severity) => <SeverityTag code={s} />,
    },
    { title: t('责任人', 'Owner'), dataIndex: 'owner', width: 100, ellipsis: true },
    {
      title: t('整改期限', 'Due'),
      dataIndex: 'due',
      width: 110,
      sorter: (a, b) => (a.due ?? '9999').localeCompare(b.due ?? '9999'),
      render: (d: string | null, f) =>
        d ? (
          isOverdue(f, now) ? (
            <Tooltip title={t('已逾期', 'Overdue')}>
              <span style={{ color: '#cf1322', fontWeight: 600 }} data-testid={'overdue-' + f.id}>
                {d}
              </span>
            </Tooltip>
          ) : (
            d
          )
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: t('状态', 'Status'),
      dataIndex: 'status',
      width: 90,
      render: (s: FindingStatus) => <FindingStatusTag code={s} />,
    },
    {
      title: t('更新时间', 'Updated'),
      dataIndex: 'updated_at',
      width: 140,
      sorter: (a, b) => a.updated_at.localeCompare(b.updated_at),
      render: (s: string) => <span style={{ fontSize: 12 }}>{shortTime(s)}</span>,
    },
    {
      title: '',
      key: 'edit',
      width: 48,
      render: (_, f) => (
        <Button
          size="small"
          type="text"
          icon={<EditOutlined />}
          aria-label={t('编辑', 'Edit')}
          data-testid={'finding-edit-' + f.id}
          onClick={(e) => {
            e.stopPropagation();
            setEditing({ finding: f });
          }}
        />
      ),
    },
  ];

  return (
    <div style={{ background: '#fff', padding: 16, borderRadius: 6, border: '1px solid #f0f0f0' }} data-testid="findings">
      {frozen && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="frozen-notice"
          title={t('项目已批准，如需修改请在「审核与导出」中重新打开', 'The project is approved; reopen it in "Review & export" to make changes')}
        />
      )}
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap', marginBottom: 12 }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('整改项', 'Findings')}
        </Typography.Title>
        <Typography.Text type="secondary" data-testid="findings-summary">
          {t(
            `共 ${items?.length ?? 0} 项 · 待整改 ${count((f) => f.status === 'open')} · 逾期 ${overdue}`,
            `${items?.length ?? 0} in all · ${count((f) => f.status === 'open')} open · ${overdue} overdue`,
          )}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading} aria-label={t('刷新', 'Reload')} />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ finding: null })} disabled={frozen} data-testid="finding-new">
          {t('新建整改项', 'New finding')}
        </Button>
      </div>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap', marginBottom: 12 }}>
        <Segmented<FindingStatus | 'all'>
          data-testid="findings-status-filter"
          value={status}
          onChange={setStatus}
          options={[
            { value: 'all', label: t('全部状态', 'Any status') },
            ...FINDING_STATUSES.map((s) => ({ value: s.code, label: tx(s.label) })),
          ]}
        />
        <Segmented<Severity | 'all'>
          data-testid="findings-severity-filter"
          value={severity}
          onChange={setSeverity}
          options={[
            { value: 'all', label: t('全部程度', 'Any severity') },
            ...SEVERITIES.map((s) => ({ value: s.code, label: tx(s.label) })),
          ]}
        />
        <Input
          allowClear
          prefix={<SearchOutlined style={{ color: '#bfbfbf' }} />}
          placeholder={t('搜索标题、要求、责任人', 'Search title, requirement, owner')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          style={{ width: 240 }}
          data-testid="findings-search"
        />
      </div>
      <Table<Finding>
        size="small"
        rowKey="id"
        loading={loading && items === null}
        columns={columns}
        dataSource={shown}
        pagination={shown.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
        onRow={(f) =>
          ({
            'data-testid': 'finding-row-' + f.id,
            style: { cursor: 'pointer' },
            onClick: () => setEditing({ finding: f }),
          }) as React.HTMLAttributes<HTMLElement>
        }
        locale={{ emptyText: items?.length ? t('没有符合条件的整改项', 'No finding matches') : t('尚无整改项', 'No findings yet') }}
      />
      <Drawer
        open={!!editing}
        onClose={() => setEditing(null)}
        size={480}
        destroyOnHidden
        title={
          editing?.finding
            ? t(`整改项 #${editing.finding.id}`, `Finding #${editing.finding.id}`)
            : t('新建整改项', 'New finding')
        }
      >
        {editing && (
          <FindingEditor
            key={editing.finding?.id ?? 'new'}
            initial={editing.finding}
            statuses={statuses}
            disabled={frozen}
            onCancel={() => setEditing(null)}
            onSaved={async (f) => {
              setEditing(null);
              message.success(t(`已保存整改项 #${f.id}`, `Finding #${f.id} saved`));
              await load();
              await refresh();
            }}
          />
        )}
      </Drawer>
    </div>
  );
}
