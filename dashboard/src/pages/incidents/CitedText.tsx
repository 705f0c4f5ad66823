import { Link, useSearchParams } from 'react-router';
import { segments } from '../../lib/incidents.ts';
import { withParams } from '../../lib/url-state.ts';

/** Text whose `[E3]` markers are links that open the evidence they name (`?cite=E3`). */
export function CitedText({ text }: { text: string }) {
  const [params] = useSearchParams();
  return (
    <span className="cited-text">
      {segments(text).map((segment, i) =>
        'cite' in segment ? (
          <Link
            // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional; the same id may repeat
            key={`${segment.cite}-${i}`}
            className="cite"
            to={`/incidents?${withParams(params, { cite: segment.cite })}`}
            aria-label={`Open evidence ${segment.cite}`}
            data-testid="cite"
          >
            {segment.cite}
          </Link>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
          <span key={i}>{segment.text}</span>
        ),
      )}
    </span>
  );
}
