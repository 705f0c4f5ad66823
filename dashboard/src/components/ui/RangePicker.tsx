import { useSearchParams } from 'react-router';
import { RANGES } from '../../lib/url-state.ts';

/** The time range lives in the URL (`?range=`), so a copied link opens the same window. */
export function RangePicker({ current }: { current: string }) {
  const [params, setParams] = useSearchParams();
  return (
    <fieldset className="range-picker">
      <legend>Time range</legend>
      {RANGES.map((range) => (
        <label key={range} className={current === range ? 'selected' : undefined}>
          <input
            type="radio"
            name="range"
            value={range}
            checked={current === range}
            onChange={() => {
              const next = new URLSearchParams(params);
              next.set('range', range);
              next.delete('from');
              next.delete('to');
              setParams(next);
            }}
          />
          {range}
        </label>
      ))}
      {current === 'custom' ? <span className="range-custom">fixed window from the link</span> : null}
    </fieldset>
  );
}
