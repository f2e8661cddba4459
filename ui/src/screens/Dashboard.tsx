// 仪表盘: the overall score and conclusion, progress, open findings by
// severity, and per pack its score, band, failed veto requirements and a bar
// per section showing the verdict distribution (plain divs, no chart library),
// and the compliance calendar's timeline (components/CalendarTimeline).
import { useEffect, useMemo, useState } from 'react';
import { Alert, Card, Progress, Tag, Typography } from 'antd';
import { WarningOutlined } from '@ant-design/icons';
import { api, type Finding, type PackScore, type SectionScore, type Status, type Tally } from '../api';
import { FINDING_STATUSES, SEVERITIES, VERDICTS, useT, verdictInfo } from '../i18n';
import { isFrozen, useProject } from '../store';
import { isDone } from './workspace/bits';
import { PackVersions } from '../components/PackVersions';
import { CalendarTimeline } from '../components/CalendarTimeline';
import { AssessorProgressList, loadTeam } from './Team';
import type { TeamView } from '../api';

const BAR_PARTS = ['conform', 'partial', 'nonconform', 'unassessed'] as const;

function fmtScore(s: number | null): string {
  if (s === null || s === undefined) return '—';
  return (Math.round(s * 10) / 10).toFixed(1);
}

function bandColor(p: { band: number | null; veto_failed?: string[] }): string {
  if (p.band === null) return 'default';
  if (p.veto_failed && p.veto_failed.length) return 'red';
  return p.band === 0 ? 'green' : p.band === 1 ? 'gold' : 'red';
}

function pct(t: Tally): number {
  return t.applicable > 0 ? Math.round((t.judged / t.applicable) * 100) : 0;
}

function Legend() {
  const { tx } = useT();
  return (
    <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', fontSize: 12, color: '#595959' }} data-testid="dashboard-legend">
      {BAR_PARTS.map((c) => {
        const v = verdictInfo(c);
        return (
          <span key={c} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
            <span style={{ width: 10, height: 10, background: v.color, borderRadius: 2, display: 'inline-block' }} />
            {tx(v.label)}
          </span>
        );
      })}
    </div>
  );
}

/** One stacked bar: conformant / partial / not conformant / not assessed. */
export function StackBar({ tally, testid }: { tally: Tally; testid?: string }) {
  const { t, tx } = useT();
  const counts = BAR_PARTS.map((c) => ({ c, n: c === 'unassessed' ? tally.unassessed : tally[c] }));
  const total = counts.reduce((a, b) => a + b.n, 0);
  const tip = counts.map(({ c, n }) => `${tx(verdictInfo(c).label)} ${n}`).join(' · ') +
    (tally.not_applicable ? ` · ${t('不适用', 'N/A')} ${tally.not_applicable}` : '') +
    (tally.inferred_pending ? ` · ${t('推断待确认', 'inferred pending')} ${tally.inferred_pending}` : '');
  return (
    <div
      title={tip}
      data-testid={testid}
      style={{ display: 'flex', height: 14, borderRadius: 3, overflow: 'hidden', background: '#f0f0f0', flex: 1, minWidth: 60 }}
    >
      {total > 0 &&
        counts
          .filter((x) => x.n > 0)
          .map(({ c, n }) => (
            <div key={c} data-part={c} style={{ width: `${(n / total) * 100}%`, background: verdictInfo(c).color }} />
          ))}
    </div>
  );
}

function SectionRow({ s, onOpen }: { s: SectionScore; onOpen: () => void }) {
  const { tx } = useT();
  return (
    <div
      style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '3px 0', cursor: 'pointer' }}
      onClick={onOpen}
      data-testid={'section-bar-' + s.section}
    >
      <span
        style={{ width: 170, flex: 'none', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', fontSize: 12 }}
        title={`${s.clause} ${tx(s.title)}`}
      >
        {s.clause} {tx(s.title)}
      </span>
      <StackBar tally={s.tally} testid={'stack-' + s.section} />
      <span style={{ width: 40, flex: 'none', textAlign: 'right', fontSize: 12, fontWeight: 600 }} data-testid={'section-score-' + s.section}>
        {fmtScore(s.tally.score)}
      </span>
    </div>
  );
}

function PackCard({ p, statuses }: { p: PackScore; statuses: Status[] }) {
  const { t, tx } = useT();
  const { gotoRequirement } = useProject();
  const openSection = (section: string) => {
    const inSec = statuses.filter((s) => s.pack === p.pack && s.section === section);
    const target = inSec.find((s) => !isDone(s)) ?? inSec[0];
    if (target) gotoRequirement(target.requirement);
  };
  return (
    <Card
      size="small"
      data-testid={'pack-card-' + p.pack}
      title={
        <span title={tx(p.title)}>
          {p.pack} · {tx(p.title)}
        </span>
      }
      extra={
        p.tally.score === null ? (
          <Typography.Text type="secondary">{t('尚无已评结论', 'Nothing judged yet')}</Typography.Text>
        ) : (
          <span>
            <strong style={{ fontSize: 18 }} data-testid={'pack-score-' + p.pack}>
              {fmtScore(p.tally.score)}
            </strong>{' '}
            <Tag color={bandColor(p)} style={{ marginInlineEnd: 0 }}>
              {tx(p.conclusion)}
              {p.complete ? '' : t('（暂定）', ' (provisional)')}
            </Tag>
          </span>
        )
      }
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12, flex: 'none' }}>
          {t('进度', 'Progress')} {p.tally.judged}/{p.tally.applicable}
        </Typography.Text>
        <Progress percent={pct(p.tally)} size="small" style={{ margin: 0, flex: 1 }} />
      </div>
      {p.veto_failed.length > 0 && (
        <div style={{ marginTop: 6 }} data-testid={'veto-failed-' + p.pack}>
          <Typography.Text type="danger" style={{ fontSize: 12 }}>
            <WarningOutlined /> {t('一票否决项不符合：', 'Veto requirements failed: ')}
          </Typography.Text>
          {p.veto_failed.map((id) => (
            <Tag key={id} color="red" style={{ cursor: 'pointer' }} onClick={() => gotoRequirement(id)} data-testid={'veto-' + id}>
              {id}
            </Tag>
          ))}
        </div>
      )}
      {p.tally.inferred_pending > 0 && (
        <div style={{ marginTop: 4, fontSize: 12, color: '#1677ff' }} data-testid={'inferred-' + p.pack}>
          {t(`${p.tally.inferred_pending} 条推断结论待确认（确认前不计分）`, `${p.tally.inferred_pending} inferred verdict(s) awaiting confirmation (not counted)`)}
        </div>
      )}
      <div style={{ marginTop: 8 }}>
        {p.sections.map((s) => (
          <SectionRow key={s.section} s={s} onOpen={() => openSection(s.section)} />
        ))}
      </div>
    </Card>
  );
}

export function Dashboard() {
  const { project, scores, statuses, reportError } = useProject();
  const { t, tx } = useT();
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [team, setTeam] = useState<TeamView | null>(null);

  useEffect(() => {
    let live = true;
    void loadTeam().then((t) => live && setTeam(t));
    return () => {
      live = false;
    };
  }, [project.meta.revision, statuses]);

  useEffect(() => {
    let live = true;
    api
      .findings()
      .then((f) => live && setFindings(f))
      .catch((e) => live && reportError(e));
    return () => {
      live = false;
    };
  }, [project.finding_count, project.meta.revision, reportError]);

  const o = scores.overall;
  const worst = useMemo(() => {
    const withBand = scores.packs.filter((p) => p.band !== null);
    return withBand.find((p) => p.veto_failed.length) ?? withBand.sort((a, b) => (b.band ?? 0) - (a.band ?? 0))[0];
  }, [scores.packs]);
  const counts = useMemo(() => {
    const bySev = new Map<string, number>();
    const byStatus = new Map<string, number>();
    for (const f of findings ?? []) {
      byStatus.set(f.status, (byStatus.get(f.status) ?? 0) + 1);
      if (f.status === 'open') bySev.set(f.severity, (bySev.get(f.severity) ?? 0) + 1);
    }
    return { bySev, byStatus };
  }, [findings]);

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 12 }} data-testid="dashboard">
      {isFrozen(project) && (
        <Alert type="info" showIcon title={t('项目已批准，以下为批准时的结论', 'The project is approved; these are the approved results')} />
      )}
      <PackVersions />
      <div style={{ display: 'flex', gap: 12, alignItems: 'stretch' }}>
        <Card size="small" style={{ flex: 1, minWidth: 0 }} title={t('总体结论', 'Overall')}>
          <div style={{ display: 'flex', gap: 24, alignItems: 'center' }}>
            <div data-testid="dashboard-overall" style={{ flex: 'none', minWidth: 170 }}>
              {o.score === null ? (
                <Typography.Title level={4} type="secondary" style={{ margin: 0 }}>
                  {t('尚无已评结论', 'Nothing judged yet')}
                </Typography.Title>
              ) : (
                <>
                  <div style={{ fontSize: 40, fontWeight: 600, lineHeight: 1.1 }}>
                    <span data-testid="overall-score">{fmtScore(o.score)}</span>
                    <span style={{ fontSize: 14, color: '#8c8c8c', fontWeight: 400 }}> / 100</span>
                  </div>
                  {scores.conclusion && (
                    <Tag color={worst ? bandColor(worst) : 'blue'} style={{ fontSize: 14, padding: '2px 10px', marginTop: 4 }} data-testid="overall-conclusion">
                      {tx(scores.conclusion)}
                    </Tag>
                  )}
                  {!scores.complete && (
                    <div style={{ fontSize: 12, color: '#d48806', marginTop: 4 }}>{t('暂定结论：尚未全部评完', 'Provisional: not everything is judged')}</div>
                  )}
                </>
              )}
            </div>
            <div style={{ flex: 1, minWidth: 0 }}>
              <div style={{ display: 'flex', justifyContent: 'space-between', fontSize: 12, color: '#595959' }}>
                <span>{t('评估进度（已评 / 适用）', 'Progress (judged / applicable)')}</span>
                <span data-testid="overall-progress">
                  {o.judged} / {o.applicable}
                </span>
              </div>
              <Progress percent={pct(o)} style={{ margin: '2px 0 8px' }} />
              <div style={{ display: 'flex', gap: 14, flexWrap: 'wrap', fontSize: 13 }} data-testid="overall-tally">
                {VERDICTS.map((v) => {
                  const n = v.code === 'na' ? o.not_applicable : v.code === 'unassessed' ? o.unassessed : o[v.code];
                  return (
                    <span key={v.code} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
                      <span style={{ width: 9, height: 9, borderRadius: '50%', background: v.color, display: 'inline-block' }} />
                      {tx(v.label)} <strong>{n}</strong>
                    </span>
                  );
                })}
              </div>
              {o.inferred_pending > 0 && (
                <div style={{ fontSize: 12, color: '#1677ff', marginTop: 6 }} data-testid="overall-inferred">
                  {t(`${o.inferred_pending} 条推断结论待确认，确认前不计分，也不能提交审核`, `${o.inferred_pending} inferred verdict(s) await confirmation; they do not count and block submission`)}
                </div>
              )}
            </div>
          </div>
        </Card>
        <Card size="small" style={{ width: 280, flex: 'none' }} title={t('整改项', 'Findings')} data-testid="dashboard-findings">
          {findings === null ? (
            <Typography.Text type="secondary">{t('加载中…', 'Loading…')}</Typography.Text>
          ) : (
            <>
              <div style={{ fontSize: 12, color: '#595959', marginBottom: 6 }}>{t('待整改（按严重程度）', 'Open, by severity')}</div>
              <div style={{ display: 'flex', gap: 8 }}>
                {SEVERITIES.map((s) => (
                  <div key={s.code} style={{ flex: 1, textAlign: 'center', border: '1px solid #f0f0f0', borderRadius: 4, padding: '4px 0' }} data-testid={'open-' + s.code}>
                    <div style={{ fontSize: 22, fontWeight: 600, color: (counts.bySev.get(s.code) ?? 0) > 0 ? s.color : '#bfbfbf' }}>
                      {counts.bySev.get(s.code) ?? 0}
                    </div>
                    <Tag color={s.color} style={{ marginInlineEnd: 0 }}>
                      {tx(s.label)}
                    </Tag>
                  </div>
                ))}
              </div>
              <div style={{ fontSize: 12, color: '#595959', marginTop: 8 }}>
                {FINDING_STATUSES.map((s) => `${tx(s.label)} ${counts.byStatus.get(s.code) ?? 0}`).join(' · ')}
              </div>
            </>
          )}
        </Card>
      </div>
      {team && team.progress.length > 0 && (
        <Card size="small" title={t('评估人进度', 'Progress per assessor')} data-testid="dashboard-assessors">
          <AssessorProgressList progress={team.progress} me={team.me} />
        </Card>
      )}
      <CalendarTimeline />
      <Card
        size="small"
        title={t('各文件得分与分节分布', 'Score per pack and section')}
        extra={<Legend />}
        styles={{ body: { padding: 12 } }}
      >
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(480px, 1fr))', gap: 12 }}>
          {scores.packs.map((p) => (
            <PackCard key={p.pack} p={p} statuses={statuses} />
          ))}
        </div>
        {scores.packs.length === 0 && <Typography.Text type="secondary">{t('项目中没有文件', 'No packs in the project')}</Typography.Text>}
      </Card>
    </div>
  );
}
