// A hash shown shortened, the full value on hover and copyable.
import { Tooltip, Typography } from 'antd';

export function Hash({ value, label, keep = 12 }: { value: string; label?: string; keep?: number }) {
  const short = value.length > keep + 1 ? `${value.slice(0, keep)}…` : value;
  return (
    <Tooltip title={<span className="mono">{value}</span>} mouseEnterDelay={0.3}>
      <Typography.Text className="mono" copyable={{ text: value }} data-hash={value} style={{ whiteSpace: 'nowrap' }}>
        {label ? <span style={{ color: '#8c8c8c' }}>{label} </span> : null}
        {short}
      </Typography.Text>
    </Tooltip>
  );
}
