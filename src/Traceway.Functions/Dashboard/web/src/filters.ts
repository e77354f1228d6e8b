// The filters of GET /api/sessions (and /api/stats/sessions), kept in the page's URL (#/sessions?status=error&...)
// so a view can be shared or reloaded. The URL holds the filters as the user chose them (a period such as "last
// 7 days" stays relative); the API gets absolute RFC 3339 times.

import type { Params } from "./api";

export interface Filters {
  period: string; // "", "24h", "7d", "30d": relative to when the page asks
  from: string; // "YYYY-MM-DDTHH:MM" in UTC (a datetime-local value), used when no period is chosen
  to: string;
  status: string;
  minCost: string;
  maxCost: string;
  tags: string[];
  model: string;
  userId: string;
  orderBy: string;
  order: string;
  limit: string;
}

export const periods: [string, string][] = [["", "any time"], ["24h", "last 24 hours"], ["7d", "last 7 days"], ["30d", "last 30 days"]];
export const sortings: [string, string][] = [
  ["lastActivity", "last activity"], ["startedAt", "start"], ["cost", "cost"], ["tokens", "tokens"], ["duration", "duration"], ["traceCount", "turns"],
];
const periodHours: Record<string, number> = { "24h": 24, "7d": 24 * 7, "30d": 24 * 30 };

export function readFilters(query: URLSearchParams): Filters {
  return {
    period: query.get("period") ?? "",
    from: query.get("from") ?? "",
    to: query.get("to") ?? "",
    status: query.get("status") ?? "",
    minCost: query.get("minCost") ?? "",
    maxCost: query.get("maxCost") ?? "",
    tags: query.getAll("tag").filter(t => t !== ""),
    model: query.get("model") ?? "",
    userId: query.get("userId") ?? "",
    orderBy: query.get("orderBy") ?? "",
    order: query.get("order") ?? "",
    limit: query.get("limit") ?? "",
  };
}

/** The URL form: only the filters that are set, in a stable order. */
export function filterQuery(filters: Filters): URLSearchParams {
  const query = new URLSearchParams();
  const add = (name: string, value: string) => value !== "" && query.append(name, value);
  add("period", filters.period);
  if (filters.period === "") {
    add("from", filters.from);
    add("to", filters.to);
  }
  add("status", filters.status);
  add("minCost", filters.minCost);
  add("maxCost", filters.maxCost);
  filters.tags.forEach(t => add("tag", t));
  add("model", filters.model);
  add("userId", filters.userId);
  add("orderBy", filters.orderBy);
  add("order", filters.order);
  add("limit", filters.limit);
  return query;
}

export function hasFilters(filters: Filters): boolean {
  return filters.period !== "" || filters.from !== "" || filters.to !== "" || filters.status !== "" || filters.minCost !== ""
    || filters.maxCost !== "" || filters.tags.length > 0 || filters.model !== "" || filters.userId !== "";
}

/** The API's parameters for these filters; `sorted` adds orderBy, order and limit (the list, not the statistics). */
export function apiParams(filters: Filters, now: Date, sorted: boolean): Params {
  const params: Params = [];
  const add = (name: string, value: string) => value !== "" && params.push([name, value]);
  if (filters.period in periodHours) {
    add("from", new Date(now.getTime() - periodHours[filters.period] * 3_600_000).toISOString());
  } else {
    add("from", utc(filters.from));
    add("to", utc(filters.to));
  }
  add("status", filters.status);
  add("minCost", filters.minCost);
  add("maxCost", filters.maxCost);
  filters.tags.forEach(t => add("tag", t));
  add("model", filters.model);
  add("userId", filters.userId);
  if (sorted) {
    add("orderBy", filters.orderBy);
    add("order", filters.order);
    add("limit", filters.limit);
  }
  return params;
}

/** A datetime-local value read as UTC ("2026-11-20T10:00" → "2026-11-20T10:00:00Z"); anything else goes as typed, for the API to judge. */
function utc(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return `${value}:00Z`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value)) return `${value}Z`;
  return value;
}
