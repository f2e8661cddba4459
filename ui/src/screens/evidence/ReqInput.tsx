// A requirement id typed by hand, checked against the project's statuses.
import { useMemo } from 'react';
import { Input, Typography } from 'antd';
import type { Status } from '../../api';
import { useT } from '../../i18n';

/** Finds a requirement of the project by id (exact, then ignoring case). */
export function findRequirement(index: Map<string, Status>, raw: string): Status | undefined {
  const id = raw.trim();
  if (!id) return undefined;
  const exact = index.get(id);
  if (exact) return exact;
  const up = id.toUpperCase();
  for (const [k, v] of index) if (k.toUpperCase() === up) return v;
  return undefined;
}

export function useRequirementIndex(statuses: Status[]): Map<string, Status> {
  return useMemo(() => new Map(statuses.map((s) => [s.requirement, s])), [statuses]);
}

/** `optional`: empty is valid (= link nothing). */
export function ReqInput(props: {
  index: Map<string, Status>;
  value: string;
  onChange: (v: string) => void;
  testid: string;
  disabled?: boolean;
  onEnter?: () => void;
  width?: number | string;
}) {
  const { t, tx } = useT();
  const { index, value, onChange, testid, disabled, onEnter, width } = props;
  const found = findRequirement(index, value);
  const bad = value.trim() !== '' && !found;
  return (
    <div style={{ width: width ?? 260 }}>
      <Input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={t('要求编号，如 GB44495-5-01', 'Requirement id, e.g. GB44495-5-01')}
        status={bad ? 'error' : undefined}
        disabled={disabled}
        allowClear
        onPressEnter={onEnter}
        data-testid={testid}
      />
      <Typography.Text
        type={bad ? 'danger' : 'secondary'}
        style={{ fontSize: 12, display: 'block', minHeight: 18 }}
        ellipsis
        data-testid={`${testid}-hint`}
      >
        {bad
          ? t('本项目中没有这个要求编号', 'No requirement with this id in the project')
          : found
            ? `${found.clause} ${tx(found.title)}`
            : ''}
      </Typography.Text>
    </div>
  );
}
