import { ApiError, signOut } from "../api";
import { el, type Child } from "../dom";
import { periods, sortings, type Filters } from "../filters";

/** An error said in words, with what to do about it. */
export function problem(error: unknown, retry: () => void): HTMLElement {
  const e = error instanceof ApiError ? error : new ApiError(0, "Something went wrong", String(error));
  const advice: Child = e.status === 401 || e.status === 403
    ? el("p", {}, "The key was refused (deleted, or without the read scope). ",
      el("button", { type: "button", class: "link", on: { click: () => { signOut(); location.reload(); } } }, "Sign in again"))
    : e.status === 400
      ? el("p", {}, "Correct the filters named below and apply them again.")
      : e.status === 404
        ? el("p", {}, "It may have been deleted, or the link is mistyped. ", el("a", { href: "#/sessions" }, "Back to the sessions"))
        : el("p", {}, "Traceway or its store did not answer. ", el("button", { type: "button", on: { click: retry } }, "Try again"));
  return el("div", { class: "state error-state", role: "alert" },
    el("h2", {}, e.title),
    e.detail ? el("p", {}, e.detail) : null,
    Object.keys(e.errors).length > 0 ? el("ul", {}, Object.entries(e.errors).map(([field, messages]) => el("li", {}, el("strong", {}, field), ": ", messages.join(" ")))) : null,
    advice);
}

function field(label: string, control: HTMLElement): HTMLElement {
  return el("label", { class: "field" }, el("span", {}, label), control);
}

function select(name: string, value: string, options: [string, string][]): HTMLSelectElement {
  const control = el("select", { name }, options.map(([v, text]) => el("option", { value: v }, text)));
  control.value = value;
  return control;
}

function input(name: string, value: string, props: { type?: string; placeholder?: string; step?: string; min?: string } = {}): HTMLInputElement {
  return el("input", { name, value, type: props.type ?? "text", placeholder: props.placeholder, step: props.step, min: props.min, autocomplete: "off" });
}

/** The filter form of the list and the journeys: every filter of GET /api/sessions; `sorted` adds sorting and page size. */
export function filterForm(filters: Filters, sorted: boolean, apply: (filters: Filters) => void): HTMLFormElement {
  const form = el("form", { class: "filters" },
    field("Period", select("period", filters.period, periods)),
    field("From (UTC)", input("from", filters.from, { type: "datetime-local" })),
    field("To (UTC)", input("to", filters.to, { type: "datetime-local" })),
    field("Status", select("status", filters.status, [["", "any"], ["ok", "ok"], ["error", "failed"]])),
    field("Min cost ($)", input("minCost", filters.minCost, { type: "number", step: "any", min: "0", placeholder: "0.00" })),
    field("Max cost ($)", input("maxCost", filters.maxCost, { type: "number", step: "any", min: "0" })),
    field("Tags (all of)", input("tags", filters.tags.join(", "), { placeholder: "prod, checkout" })),
    field("Model", input("model", filters.model, { placeholder: "gpt-4o" })),
    field("User", input("userId", filters.userId)),
    sorted ? field("Sort by", select("orderBy", filters.orderBy, [["", "last activity"], ...sortings.slice(1)])) : null,
    sorted ? field("Order", select("order", filters.order, [["", "descending"], ["asc", "ascending"]])) : null,
    sorted ? field("Per page", select("limit", filters.limit, [["", "50"], ["10", "10"], ["25", "25"], ["100", "100"], ["200", "200"]])) : null,
    el("div", { class: "actions" },
      el("button", { type: "submit" }, "Apply"),
      el("button", { type: "reset", class: "secondary" }, "Clear")));
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value.trim() ?? "";
  const read = (): Filters => ({
    period: value("period"), from: value("from"), to: value("to"), status: value("status"), minCost: value("minCost"), maxCost: value("maxCost"),
    tags: value("tags").split(",").map(t => t.trim()).filter(t => t !== ""), model: value("model"), userId: value("userId"),
    orderBy: sorted ? value("orderBy") : filters.orderBy, order: sorted ? value("order") : filters.order, limit: sorted ? value("limit") : filters.limit,
  });
  form.addEventListener("submit", event => {
    event.preventDefault();
    apply(read());
  });
  form.addEventListener("reset", event => {
    event.preventDefault();
    apply({ period: "", from: "", to: "", status: "", minCost: "", maxCost: "", tags: [], model: "", userId: "", orderBy: "", order: "", limit: "" });
  });
  return form;
}

export function statusBadge(status: string): HTMLElement {
  return el("span", { class: `badge status-${status === "error" ? "error" : "ok"}` }, status === "error" ? "error" : "ok");
}

export function chips(values: string[]): HTMLElement {
  return el("span", { class: "chips" }, values.map(v => el("span", { class: "chip" }, v)));
}
