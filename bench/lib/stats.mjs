// Small statistics + formatting helpers for bench/perf.mjs.

/** Sorted copy of the finite numbers in xs. */
function sorted(xs) {
  return xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
}

/** Median (mean of the two middle values for even n); NaN for no data. */
export function median(xs) {
  const s = sorted(xs);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Percentile p in [0,100], linear interpolation between closest ranks; NaN for no data. */
export function percentile(xs, p) {
  const s = sorted(xs);
  if (!s.length) return NaN;
  if (s.length === 1) return s[0];
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

export function min(xs) {
  const s = sorted(xs);
  return s.length ? s[0] : NaN;
}

export function max(xs) {
  const s = sorted(xs);
  return s.length ? s[s.length - 1] : NaN;
}

/** "12.3 ms" (or "n/a"). */
export function fmtMs(x, digits = 1) {
  return Number.isFinite(x) ? `${x.toFixed(digits)} ms` : 'n/a';
}

/** Human byte size: "1.23 MiB" (or "n/a"). */
export function fmtBytes(x) {
  if (!Number.isFinite(x)) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = x;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(2)} ${units[u]}`;
}

/** Markdown table from a header row and data rows (cells are stringified, pipes escaped). */
export function markdownTable(header, rows) {
  const esc = (c) => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
