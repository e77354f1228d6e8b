import { get, type Page, type SessionSummary } from "../api";
import { el, replace } from "../dom";
import { apiParams, filterQuery, hasFilters, readFilters, type Filters } from "../filters";
import { count, duration, time, usd } from "../format";
import { current, navigate, type Route } from "../main";
import { chips, filterForm, problem, statusBadge } from "./common";

interface Column {
  title: string;
  orderBy?: string; // the API's sort that sorts by this column
  numeric?: boolean;
  cell: (s: SessionSummary) => Node | string;
}

const columns: Column[] = [
  { title: "Session", cell: s => el("a", { href: `#/session/${encodeURIComponent(s.sessionId)}`, class: "session-link" }, s.sessionId) },
  { title: "Last activity", orderBy: "lastActivity", cell: s => time(s.lastActivityAt) },
  { title: "Started", orderBy: "startedAt", cell: s => time(s.startedAt) },
  { title: "Duration", orderBy: "duration", numeric: true, cell: s => duration(s.durationMs) },
  { title: "Turns", orderBy: "traceCount", numeric: true, cell: s => count(s.traceCount) },
  { title: "Spans", numeric: true, cell: s => count(s.spanCount) },
  { title: "Tokens", orderBy: "tokens", numeric: true, cell: s => count(s.totalTokens) },
  { title: "Cost", orderBy: "cost", numeric: true, cell: s => usd(s.totalCost) },
  { title: "Status", cell: s => statusBadge(s.status) },
  { title: "Tags", cell: s => chips(s.tags) },
  { title: "Models", cell: s => chips(s.models) },
  { title: "Users", cell: s => chips(s.userIds) },
];

/** Cursors of the pages before the current one, for "Previous"; reset when the filters change. */
let pages: { query: string; cursors: (string | null)[] } = { query: "", cursors: [null] };

export function renderSessions(app: HTMLElement, route: Route, token: number): void {
  const filters = readFilters(route.query);
  const query = filterQuery(filters).toString();
  if (pages.query !== query) pages = { query, cursors: [null] };
  const show = (f: Filters) => {
    const q = filterQuery(f).toString();
    navigate(`#/sessions${q ? `?${q}` : ""}`);
  };
  const results = el("section", { class: "results", aria: { live: "polite" } }, el("p", { class: "muted" }, "Loading sessions…"));
  replace(app, el("h1", {}, "Sessions"), filterForm(filters, true, show), results);
  void load(results, filters, token, show);
}

async function load(results: HTMLElement, filters: Filters, token: number, show: (f: Filters) => void): Promise<void> {
  results.dataset.state = "loading";
  const index = pages.cursors.length - 1;
  const cursor = pages.cursors[index];
  let page: Page<SessionSummary>;
  try {
    page = await get<Page<SessionSummary>>("/api/sessions", [...apiParams(filters, new Date(), true), ...(cursor ? [["cursor", cursor] as [string, string]] : [])]);
  } catch (error) {
    if (current(token)) {
      replace(results, problem(error, () => void load(results, filters, token, show)));
      results.dataset.state = "error";
    }
    return;
  }
  if (!current(token)) return;
  results.dataset.state = page.items.length === 0 ? "empty" : "loaded";
  if (page.items.length === 0) {
    replace(results, el("div", { class: "state empty-state" },
      hasFilters(filters)
        ? [el("h2", {}, "No session matches these filters"), el("p", {}, "Widen the period or the cost range, or remove a tag, model or user. "),
          el("button", { type: "button", on: { click: () => show({ ...filters, period: "", from: "", to: "", status: "", minCost: "", maxCost: "", tags: [], model: "", userId: "" }) } }, "Clear the filters")]
        : [el("h2", {}, "No sessions yet"), el("p", {}, "Send traces that carry a sessionId to POST /api/ingest (or OpenTelemetry spans with session.id) with an ingest key of this project; they show here within a second.")]));
    return;
  }
  const orderBy = filters.orderBy || "lastActivity";
  const order = filters.order || "desc";
  const header = el("tr", {}, columns.map(c => {
    if (!c.orderBy) return el("th", { class: c.numeric ? "num" : "" }, c.title);
    const active = c.orderBy === orderBy;
    const next = active && order === "desc" ? "asc" : "";
    return el("th", { class: c.numeric ? "num" : "", aria: { sort: active ? (order === "asc" ? "ascending" : "descending") : "none" } },
      el("button", { type: "button", class: `sort${active ? " active" : ""}`, title: `Sort by ${c.title.toLowerCase()}`,
        on: { click: () => show({ ...filters, orderBy: c.orderBy === "lastActivity" ? "" : c.orderBy!, order: next }) } },
        c.title, active ? (order === "asc" ? " ▲" : " ▼") : ""));
  }));
  const rows = page.items.map(s => el("tr", { class: s.status === "error" ? "failed" : "", data: { sessionId: s.sessionId } },
    columns.map(c => el("td", { class: c.numeric ? "num" : "" }, c.cell(s)))));
  const pager = el("nav", { class: "pager" },
    el("button", { type: "button", class: "secondary", disabled: index === 0, on: { click: () => { pages.cursors.pop(); void load(results, filters, token, show); } } }, "← Previous"),
    el("span", { class: "page-number" }, `Page ${index + 1} · ${page.items.length} sessions`),
    el("button", { type: "button", class: "secondary", disabled: !page.nextCursor, on: { click: () => { pages.cursors.push(page.nextCursor); void load(results, filters, token, show); } } }, "Next →"));
  replace(results, el("div", { class: "table-wrap" }, el("table", { class: "sessions" }, el("thead", {}, header), el("tbody", {}, rows))), pager);
}
