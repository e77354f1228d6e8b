// The dashboard's entry: a hash router over three views (sessions list, one session, journeys) behind sign-in.
// Hash routes (#/sessions?status=error) keep the filters in the URL without the server knowing the routes.

import { readKey, signOut } from "./api";
import { el, replace } from "./dom";
import { renderSignIn } from "./views/signin";
import { renderSessions } from "./views/sessions";
import { renderSession } from "./views/session";
import { renderJourneys } from "./views/journeys";

export interface Route {
  view: "sessions" | "session" | "journeys";
  query: URLSearchParams;
  sessionId: string;
}

/** Increments on every navigation, so an answer that arrives after the user moved on is dropped. */
let generation = 0;

export function current(token: number): boolean {
  return token === generation;
}

export function parseRoute(hash: string): Route {
  const [path, search = ""] = hash.replace(/^#/, "").split("?", 2);
  const query = new URLSearchParams(search);
  const session = /^\/session\/(.+)$/.exec(path);
  if (session) return { view: "session", query, sessionId: decodeURIComponent(session[1]) };
  if (path === "/journeys") return { view: "journeys", query, sessionId: "" };
  return { view: "sessions", query, sessionId: "" };
}

export function navigate(hash: string): void {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function render(): void {
  const token = ++generation;
  const app = document.getElementById("app")!;
  const nav = document.getElementById("nav")!;
  if (!readKey()) {
    replace(nav);
    renderSignIn(app, () => render());
    return;
  }
  const route = parseRoute(location.hash);
  // What this render shows, for people reading the DOM (and the browser tests waiting on it).
  app.dataset.route = location.hash;
  const listQuery = route.view === "sessions" || route.view === "journeys" ? route.query.toString() : lastListQuery;
  if (route.view !== "session") lastListQuery = listQuery;
  const suffix = listQuery ? `?${listQuery}` : "";
  replace(nav,
    el("a", { href: `#/sessions${suffix}`, class: route.view === "journeys" ? "" : "active" }, "Sessions"),
    el("a", { href: `#/journeys${suffix}`, class: route.view === "journeys" ? "active" : "" }, "Journeys"),
    el("button", { type: "button", class: "link", on: { click: () => { signOut(); render(); } } }, "Sign out"));
  if (route.view === "session") renderSession(app, route, token, `#/sessions${suffix}`);
  else if (route.view === "journeys") renderJourneys(app, route, token);
  else renderSessions(app, route, token);
}

/** The list's filters, kept for the "back to the list" link of the session view. */
let lastListQuery = "";

window.addEventListener("hashchange", render);
render();
