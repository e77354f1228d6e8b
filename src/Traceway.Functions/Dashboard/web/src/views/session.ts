import { get, type Replay, type Step, type Turn } from "../api";
import { el, replace, type Child } from "../dom";
import { count, duration, json, message, time, usd } from "../format";
import { tokenChart } from "../chart";
import { current, type Route } from "../main";
import { chips, problem, statusBadge } from "./common";

/** Turns per page: a session of any length stays light, paged with the API's cursor. */
export const turnsPerPage = 100;

export function renderSession(app: HTMLElement, route: Route, token: number, back: string): void {
  const body = el("div", { class: "session-body" }, el("p", { class: "muted" }, "Loading the session…"));
  replace(app, el("p", {}, el("a", { href: back }, "← Sessions")), el("h1", { class: "session-title" }, "Session ", el("code", {}, route.sessionId)), body);
  const cursors: (string | null)[] = [null];
  const load = async () => {
    body.dataset.state = "loading";
    const cursor = cursors[cursors.length - 1];
    let replay: Replay;
    try {
      replay = await get<Replay>(`/api/sessions/${encodeURIComponent(route.sessionId)}/replay`,
        [["limit", String(turnsPerPage)], ...(cursor ? [["cursor", cursor] as [string, string]] : [])]);
    } catch (error) {
      if (current(token)) {
        replace(body, problem(error, () => void load()));
        body.dataset.state = "error";
      }
      return;
    }
    if (!current(token)) return;
    const first = (cursors.length - 1) * turnsPerPage + 1;
    const last = first + replay.turns.length - 1;
    const pager = () => el("nav", { class: "pager" },
      el("button", { type: "button", class: "secondary", disabled: cursors.length === 1, on: { click: () => { cursors.pop(); void load(); } } }, "← Previous turns"),
      el("span", { class: "page-number" }, replay.turns.length ? `Turns ${first}–${last} of ${count(replay.session.traceCount)}` : "No turns"),
      el("button", { type: "button", class: "secondary", disabled: !replay.nextCursor, on: { click: () => { cursors.push(replay.nextCursor); void load(); } } }, "Next turns →"));
    replace(body,
      summary(replay),
      replay.turns.length > 0 ? tokenChart(replay.turns, first) : null,
      pager(),
      replay.turns.length > 0
        ? el("ol", { class: "turns", start: String(first) }, replay.turns.map((t, i) => turn(t, first + i)))
        : el("div", { class: "state empty-state" }, el("p", {}, "This session has no turn with a trace document yet; its spans arrived first. Reload in a moment.")),
      replay.turns.length > 10 ? pager() : null);
    body.dataset.state = "loaded";
    if (cursors.length > 1) body.querySelector(".turns")?.scrollIntoView();
  };
  void load();
}

function summary(replay: Replay): HTMLElement {
  const s = replay.session;
  const item = (label: string, value: Child) => el("div", {}, el("dt", {}, label), el("dd", {}, value));
  return el("dl", { class: `summary${s.status === "error" ? " failed" : ""}` },
    item("Status", [statusBadge(s.status), s.errorCount > 0 ? ` ${count(s.errorCount)} failed span${s.errorCount === 1 ? "" : "s"}` : ""]),
    item("Turns", count(s.traceCount)),
    item("Spans", count(s.spanCount)),
    item("Tokens", `${count(s.totalTokens)} (${count(s.inputTokens)} in, ${count(s.outputTokens)} out)`),
    item("Cost", usd(s.totalCost)),
    item("Duration", duration(s.durationMs)),
    item("Started", time(s.startedAt)),
    item("Last activity", time(s.lastActivityAt)),
    item("Largest input", count(s.maxInputTokens)),
    item("Models", chips(s.models)),
    item("Users", chips(s.userIds)),
    item("Tags", chips(s.tags)));
}

function turn(t: Turn, number: number): HTMLElement {
  const failed = t.status === "error";
  return el("li", { class: `turn${failed ? " failed" : ""}${t.warnings.length ? " warned" : ""}`, data: { turn: String(number), traceId: t.traceId } },
    el("header", {},
      el("span", { class: "turn-number" }, `Turn ${number}`),
      el("span", { class: "turn-name" }, t.name ?? t.traceId),
      statusBadge(t.status),
      el("span", { class: "turn-meta" }, `${time(t.startedAt)} · ${duration(t.durationMs)} · ${count(t.inputTokens)} in / ${count(t.outputTokens)} out · ${usd(t.cost)}`)),
    t.warnings.length > 0 ? el("ul", { class: "warnings" }, t.warnings.map(w => el("li", {}, w))) : null,
    el("div", { class: "exchange" },
      el("div", { class: "user-input" }, el("h3", {}, "User"), el("pre", {}, message(t.userInput) || "(no input recorded)")),
      el("div", { class: "response" }, el("h3", {}, "Model"), el("pre", {}, message(t.response) || "(no response recorded)"))),
    t.steps.length > 0
      ? el("details", { class: "steps" }, el("summary", {}, `${t.steps.length} step${t.steps.length === 1 ? "" : "s"}`), stepTree(t.steps))
      : null);
}

/** The replay's depth-first steps back into a tree: each step's children under it, expandable. */
function stepTree(steps: Step[]): HTMLElement {
  const root = el("ul", { class: "step-tree" });
  const lists: HTMLElement[] = [root];
  for (const step of steps) {
    const children = el("ul", { class: "step-tree" });
    const node = el("li", { class: `step kind-${step.kind}${step.status === "error" ? " failed" : ""}`, data: { kind: step.kind, spanId: step.spanId } },
      el("details", {},
        el("summary", {},
          el("span", { class: `kind` }, step.kind),
          el("span", { class: "step-name" }, step.name),
          step.model ? el("span", { class: "step-model" }, step.model) : null,
          statusBadge(step.status),
          el("span", { class: "turn-meta" }, [duration(step.durationMs),
            step.inputTokens !== null || step.outputTokens !== null ? `${count(step.inputTokens)} in / ${count(step.outputTokens)} out` : "",
            step.cost !== null ? usd(step.cost) : ""].filter(x => x).join(" · "))),
        step.error ? el("p", { class: "step-error" }, step.error) : null,
        el("div", { class: "step-io" },
          el("div", {}, el("h4", {}, "Input"), el("pre", { class: "step-input" }, json(step.input) || "(none)")),
          el("div", {}, el("h4", {}, "Output"), el("pre", { class: "step-output" }, json(step.output) || "(none)")))),
      children);
    lists.length = Math.min(lists.length, step.depth + 1);
    (lists[lists.length - 1] ?? root).append(node);
    lists.push(children);
  }
  root.querySelectorAll("ul.step-tree:empty").forEach(u => u.remove());
  return root;
}
