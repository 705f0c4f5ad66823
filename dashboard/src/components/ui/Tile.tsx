import type { ReactNode } from 'react';

/** A headline number with its label and, below, what it is measured against. */
export function Tile({
  label,
  value,
  note,
  testId,
}: {
  label: string;
  value: ReactNode;
  note?: ReactNode;
  testId?: string;
}) {
  return (
    <section className="tile" aria-label={label}>
      <h3>{label}</h3>
      <p className="tile-value" data-testid={testId}>
        {value}
      </p>
      {note ? <p className="tile-note">{note}</p> : null}
    </section>
  );
}
