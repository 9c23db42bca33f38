// What both sections of RESULTS.md write with: number formats, and a generated section kept between its markers.

export const dash = "–";

export const fmt = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? dash
    : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const x = (value: number | undefined) => (value === undefined ? dash : `${fmt(value, 2)}x`);

/** `previous` with its text from `begin` to `end` replaced by `generated`; undefined when it has no such section. */
export function replaceSection(
  previous: string,
  begin: string,
  end: string,
  generated: string,
): string | undefined {
  const start = previous.indexOf(begin);
  const stop = previous.indexOf(end);
  if (start < 0 || stop <= start) return undefined;
  return previous.slice(0, start) + generated + previous.slice(stop + end.length);
}
