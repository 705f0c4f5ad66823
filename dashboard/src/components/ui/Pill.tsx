const LABELS: Record<string, string> = {
  firing: 'Firing',
  pending: 'Pending',
  low_traffic: 'Low traffic',
  ok: 'OK',
  active: 'Active',
  dry_run: 'Dry run',
  failed: 'Failed',
  expired: 'Expired',
  rolled_back: 'Rolled back',
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
  apply: 'Mitigated',
  suppressed: 'Suppressed (false positive)',
};

/** A status word with colour and text both, so it never relies on colour alone. */
export function Pill({ value, label }: { value: string; label?: string }) {
  return <span className={`pill pill-${value}`}>{label ?? LABELS[value] ?? value.replaceAll('_', ' ')}</span>;
}
