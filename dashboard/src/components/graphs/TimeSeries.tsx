import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { COUNT_TICKS, DAY_TICKS, formatAxisTimes, formatTime, MINUTE_TICKS } from '../../lib/format.ts';

interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** Dashed for thresholds and forecasts. */
  dash?: boolean;
  /** Fill down to this series (by index) to draw a band. */
  fillTo?: number;
  width?: number;
  /** Step lines for counts per minute and plans. */
  stepped?: boolean;
}

export interface TimeSeriesProps {
  /** Unix ms per point. */
  times: number[];
  series: Series[];
  /** Says what the chart shows for screen readers; the legend and tables carry the numbers. */
  label: string;
  height?: number;
  yLabel?: string;
  formatY?: (value: number) => string;
  yMin?: number;
  /** The y values are counts: ticks at whole numbers only. */
  counts?: boolean;
  /** How far apart the points are: the time axis ticks at whole minutes (the default) or whole days. */
  step?: 'minute' | 'day';
}

/**
 * A uPlot time-series chart (the engine of Grafana's time-series panel): sized to its container, redrawn when
 * its data changes without rebuilding the plot.
 */
export function TimeSeries({
  times,
  series,
  label,
  height = 200,
  yLabel,
  formatY,
  yMin,
  counts,
  step = 'minute',
}: TimeSeriesProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}|${s.color}|${s.dash}|${s.fillTo}`).join(',');
  // Read at each redraw: a floor that follows the data (an overspent budget) must not stay at its first value.
  const floor = useRef(yMin);
  floor.current = yMin;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the plot is rebuilt only when the series change shape; data updates go through setData below.
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const bands = series.flatMap((s, i) =>
      s.fillTo === undefined
        ? []
        : [{ series: [i + 1, s.fillTo + 1] as [number, number], fill: `${s.color}33` }],
    );
    const options: uPlot.Options = {
      // Ticks fall on UTC hours and midnights, as the labels read them (not the browser's own zone).
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      width: Math.max(200, el.clientWidth),
      height,
      scales: {
        x: { time: true },
        // From yMin to the data's top (a local stack's cost is fractions of a cent); one unit when all is flat.
        y:
          yMin === undefined
            ? {}
            : {
                range: (_u, _min, max) => {
                  const low = floor.current ?? 0;
                  return [low, max > low ? max : low + 1];
                },
              },
      },
      axes: [
        {
          stroke: '#374151',
          grid: { stroke: '#e5e7eb' },
          // Ticks at whole minutes (or days) or more, never between two points.
          incrs: step === 'day' ? DAY_TICKS : MINUTE_TICKS,
          // uPlot's own ticks are 12-hour browser-local; the dashboard reads every time in 24-hour UTC.
          values: (u, splits) =>
            formatAxisTimes(splits, ((u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0)) * 1000),
        },
        {
          stroke: '#374151',
          grid: { stroke: '#e5e7eb' },
          label: yLabel,
          // Wide enough for the longest tick label ("$0.0006", "1,000"), measured at 7 px a character.
          size: (_u, values) =>
            Math.max(48, 16 + 7 * Math.max(0, ...(values ?? []).map((v) => String(v).length))),
          ...(counts ? { incrs: COUNT_TICKS } : {}),
          values: formatY ? (_u, splits) => splits.map((v) => formatY(v)) : undefined,
        },
      ],
      series: [
        { value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatTime(v * 1000)) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 2,
          dash: s.dash ? [6, 4] : undefined,
          paths: s.stepped ? uPlot.paths.stepped?.({ align: 1 }) : undefined,
          value: formatY ? (_u: uPlot, v: number | null) => (v === null ? '—' : formatY(v)) : undefined,
        })),
      ],
      bands,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    };
    plot.current = new uPlot(options, [times.map((t) => t / 1000), ...series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([times.map((t) => t / 1000), ...series.map((s) => s.values)]);
  }, [times, series]);

  return <div className="chart" ref={container} role="img" aria-label={label} />;
}
