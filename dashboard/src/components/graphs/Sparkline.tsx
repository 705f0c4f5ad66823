import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/** A small uPlot line without axes, for table rows. */
export function Sparkline({
  values,
  label,
  color = '#1d4ed8',
}: {
  values: (number | null)[];
  label: string;
  color?: string;
}) {
  const container = useRef<HTMLSpanElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    plot.current = new uPlot(
      {
        width: 120,
        height: 28,
        pxAlign: false,
        cursor: { show: false },
        legend: { show: false },
        scales: { x: { time: false } },
        axes: [{ show: false }, { show: false }],
        series: [{}, { stroke: color, width: 1.5 }],
      },
      [[], []],
      el,
    );
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [color]);

  useEffect(() => {
    plot.current?.setData([values.map((_, i) => i), values]);
  }, [values]);

  return <span className="sparkline" ref={container} role="img" aria-label={label} />;
}
