// How values read: numbers with separators, money in USD, durations and times in UTC (the API's time zone).

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : integer.format(value);
}

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  const digits = value !== 0 && Math.abs(value) < 0.01 ? 4 : 2;
  return "$" + value.toFixed(digits);
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "2026-11-20 10:00:03 UTC": the API's times are UTC; showing them so keeps them comparable with the API. */
export function time(value: string | null | undefined): string {
  if (!value) return "–";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** Any JSON value as readable text: strings as they are, the rest pretty-printed. */
export function json(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

/** The text of a chat input or output: the content of messages when the value looks like chat messages. */
export function message(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every(m => m && typeof m === "object" && "content" in m)) {
    return value.map(m => `${(m as { role?: string }).role ?? "message"}: ${json((m as { content: unknown }).content)}`).join("\n");
  }
  if (value && typeof value === "object" && "content" in value && Object.keys(value).length <= 2) {
    return json((value as { content: unknown }).content);
  }
  return json(value);
}
