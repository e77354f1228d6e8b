// Input tokens per turn against the model's context window: the curve the documentation tells users to watch.
// One point per turn; turns whose replay carries a context-window warning are marked red.

import catalog from "../../../Models/model-catalog.json";
import type { Turn } from "./api";
import { el, svg } from "./dom";
import { count } from "./format";

const contextWindows: Record<string, number> = Object.fromEntries(
  Object.entries((catalog as { models: Record<string, { contextWindow?: number }> }).models)
    .filter(([, m]) => typeof m.contextWindow === "number")
    .map(([name, m]) => [name, m.contextWindow!]));

/** What a turn sends at most in one model call (the context it filled), else the turn's own input tokens. */
export function turnInputTokens(turn: Turn): { tokens: number; model: string | null } {
  let best: { tokens: number; model: string | null } = { tokens: -1, model: null };
  for (const step of turn.steps) {
    if (step.kind === "llm" && step.inputTokens !== null && step.inputTokens > best.tokens) best = { tokens: step.inputTokens, model: step.model };
  }
  return best.tokens >= 0 ? best : { tokens: turn.inputTokens, model: null };
}

export function tokenChart(turns: Turn[], firstTurn: number): HTMLElement {
  const points = turns.map((turn, i) => ({ turn: firstTurn + i, warned: turn.warnings.length > 0, warnings: turn.warnings, ...turnInputTokens(turn) }));
  const largest = points.reduce((a, p) => (p.tokens > a.tokens ? p : a), { tokens: 0, model: null as string | null });
  const model = largest.model ?? points.find(p => p.model)?.model ?? null;
  const window = model ? contextWindows[model] : undefined;
  const width = 760, height = 240, left = 64, right = 16, top = 16, bottom = 32;
  const top_ = Math.max(1, largest.tokens, window ?? 0) * 1.05;
  const x = (i: number) => left + (points.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (points.length - 1));
  const y = (tokens: number) => top + (height - top - bottom) * (1 - tokens / top_);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "token-chart", role: "img", "aria-label": "Input tokens per turn" });
  for (let k = 0; k <= 4; k++) {
    const value = (top_ * k) / 4;
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(value), y2: y(value), class: "grid" }),
      svg("text", { x: left - 6, y: y(value) + 4, class: "axis-label", "text-anchor": "end" }, compact(value)));
  }
  if (window) {
    chart.append(
      svg("line", { x1: left, x2: width - right, y1: y(window), y2: y(window), class: "context-window" }),
      svg("text", { x: width - right, y: y(window) - 4, class: "context-label", "text-anchor": "end" }, `${model} context window ${count(window)}`),
      svg("line", { x1: left, x2: width - right, y1: y(window * 0.8), y2: y(window * 0.8), class: "warning-line" }),
      svg("text", { x: width - right, y: y(window * 0.8) - 4, class: "context-label", "text-anchor": "end" }, "80%: warning"));
  }
  chart.append(svg("polyline", { points: points.map((p, i) => `${x(i)},${y(p.tokens)}`).join(" "), class: "token-line" }));
  points.forEach((p, i) => {
    chart.append(svg("circle", { cx: x(i), cy: y(p.tokens), r: p.warned ? 6 : 3.5, class: `turn-point${p.warned ? " warning" : ""}`, "data-turn": p.turn },
      svg("title", {}, `Turn ${p.turn}: ${count(p.tokens)} input tokens${p.model ? ` (${p.model})` : ""}${p.warned ? `\n${p.warnings.join("\n")}` : ""}`)));
  });
  const labelEvery = Math.max(1, Math.ceil(points.length / 10));
  points.forEach((p, i) => {
    if (i % labelEvery === 0 || i === points.length - 1) chart.append(svg("text", { x: x(i), y: height - bottom + 16, class: "axis-label", "text-anchor": "middle" }, String(p.turn)));
  });
  const warned = points.filter(p => p.warned).map(p => p.turn);
  return el("figure", { class: "chart" }, chart,
    el("figcaption", {}, `Input tokens of each turn's largest model call (turns ${firstTurn}–${firstTurn + points.length - 1})`,
      window ? `, against ${model}'s ${count(window)}-token context window; the dashed line is the 80% warning threshold` : model ? `; ${model}'s context window is not in the model table` : "",
      ". ", warned.length > 0 ? el("strong", { class: "warning-text" }, `Context-window warning at turn ${warned.join(", ")}.`) : "No context-window warning."));
}

function compact(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1000) return `${Math.round(value / 1000)}k`;
  return String(Math.round(value));
}
