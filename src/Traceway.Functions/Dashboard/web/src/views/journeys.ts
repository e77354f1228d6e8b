import { get, type Page, type SessionStats, type SessionSummary } from "../api";
import { el, replace, svg } from "../dom";
import { apiParams, filterQuery, readFilters, type Filters } from "../filters";
import { count, usd } from "../format";
import { current, navigate, type Route } from "../main";
import { filterForm, problem } from "./common";

/** User journeys from GET /api/stats/sessions: where conversations stop, what they cost, how often they fail, which models. */
export function renderJourneys(app: HTMLElement, route: Route, token: number): void {
  const filters = readFilters(route.query);
  const show = (f: Filters) => {
    const q = filterQuery(f).toString();
    navigate(`#/journeys${q ? `?${q}` : ""}`);
  };
  const results = el("section", { class: "results" }, el("p", { class: "muted" }, "Loading statistics…"));
  replace(app, el("h1", {}, "Journeys"), filterForm(filters, false, show), results);
  const load = async () => {
    results.dataset.state = "loading";
    const now = new Date();
    let stats: SessionStats, expensive: Page<SessionSummary>;
    try {
      [stats, expensive] = await Promise.all([
        get<SessionStats>("/api/stats/sessions", apiParams(filters, now, false)),
        get<Page<SessionSummary>>("/api/sessions", [...apiParams(filters, now, false), ["orderBy", "cost"], ["order", "desc"], ["limit", "10"]]),
      ]);
    } catch (error) {
      if (current(token)) {
        replace(results, problem(error, () => void load()));
        results.dataset.state = "error";
      }
      return;
    }
    if (!current(token)) return;
    results.dataset.state = stats.sessionCount === 0 ? "empty" : "loaded";
    if (stats.sessionCount === 0) {
      replace(results, el("div", { class: "state empty-state" }, el("h2", {}, "No session matches these filters"), el("p", {}, "Widen the period or clear the filters.")));
      return;
    }
    const tile = (label: string, value: string, note = "") => el("div", { class: "tile" }, el("span", { class: "tile-label" }, label), el("strong", {}, value), note ? el("span", { class: "muted" }, note) : null);
    const linkQuery = filterQuery(filters).toString();
    replace(results,
      el("div", { class: "tiles" },
        tile("Sessions", count(stats.sessionCount)),
        tile("Turns", count(stats.traceCount), `average ${stats.avgTurns.toFixed(1)}, median ${stats.medianTurns}`),
        tile("Cost", usd(stats.totalCost), `p50 ${usd(stats.costP50)}, p95 ${usd(stats.costP95)}`),
        tile("Failed sessions", count(stats.errorSessions), `${(stats.errorRate * 100).toFixed(1)}% error rate`)),
      el("div", { class: "panels" },
        panel("Turns per session (drop-off)", "How many sessions ended after each number of turns.",
          bars(stats.turnHistogram.map(b => ({ label: `${b.turns} turn${b.turns === 1 ? "" : "s"}`, value: b.sessions, text: count(b.sessions) })), "histogram")),
        panel("The expensive tail", `The ten costliest sessions; half of all sessions cost at most ${usd(stats.costP50)}, 95% at most ${usd(stats.costP95)}.`,
          bars(expensive.items.map(s => ({ label: s.sessionId, value: s.totalCost, text: usd(s.totalCost), href: `#/session/${encodeURIComponent(s.sessionId)}`, mark: s.totalCost > stats.costP95 })), "cost-tail")),
        panel("Errors", "Sessions with at least one failed span.",
          bars([{ label: "failed", value: stats.errorSessions, text: count(stats.errorSessions), mark: true },
            { label: "ok", value: stats.sessionCount - stats.errorSessions, text: count(stats.sessionCount - stats.errorSessions) }], "errors"),
          el("p", {}, el("a", { href: `#/sessions?${new URLSearchParams([...new URLSearchParams(linkQuery)].filter(([k]) => k !== "status").concat([["status", "error"]])).toString()}` }, "List the failed sessions →"))),
        panel("Models", "Sessions, cost and tokens per model.",
          el("table", { class: "models" },
            el("thead", {}, el("tr", {}, el("th", {}, "Model"), el("th", { class: "num" }, "Sessions"), el("th", { class: "num" }, "Cost"), el("th", { class: "num" }, "Tokens"))),
            el("tbody", {}, stats.models.map(m => el("tr", {}, el("td", {}, m.model), el("td", { class: "num" }, count(m.sessions)), el("td", { class: "num" }, usd(m.cost)), el("td", { class: "num" }, count(m.tokens)))))),
          bars(stats.models.map(m => ({ label: m.model, value: m.sessions, text: `${count(m.sessions)} sessions` })), "model-usage"))));
  };
  void load();
}

function panel(title: string, note: string, ...content: (Element | null)[]): HTMLElement {
  return el("section", { class: "panel" }, el("h2", {}, title), el("p", { class: "muted" }, note), ...content);
}

interface Bar { label: string; value: number; text: string; href?: string; mark?: boolean }

/** Horizontal bars in SVG: a label, a bar scaled to the largest value, the value as text. */
function bars(rows: Bar[], name: string): SVGSVGElement {
  const row = 24, labelWidth = 170, width = 560, valueWidth = 90;
  const max = Math.max(...rows.map(r => r.value), 0) || 1;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${Math.max(row, rows.length * row)}`, class: `bars ${name}`, role: "img" });
  rows.forEach((r, i) => {
    const length = ((width - labelWidth - valueWidth) * r.value) / max;
    const label = svg("text", { x: labelWidth - 8, y: i * row + 16, "text-anchor": "end", class: "bar-label" }, truncate(r.label, 24));
    chart.append(
      r.href ? link(r.href, label) : label,
      svg("rect", { x: labelWidth, y: i * row + 4, width: Math.max(1, length), height: row - 8, class: `bar${r.mark ? " marked" : ""}` }, svg("title", {}, `${r.label}: ${r.text}`)),
      svg("text", { x: labelWidth + length + 6, y: i * row + 16, class: "bar-value" }, r.text));
  });
  return chart;
}

function link(href: string, child: SVGElement): SVGElement {
  const a = svg("a", {}, child);
  a.setAttribute("href", href.startsWith("#/") ? href : "#/sessions");
  return a;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
