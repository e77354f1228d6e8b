import { ApiError, get, signIn, signOut } from "../api";
import { el, replace } from "../dom";

/** Sign-in: paste a read key. It is checked with one small API call before the dashboard opens. */
export function renderSignIn(app: HTMLElement, done: () => void): void {
  const input = el("input", { type: "password", name: "key", autocomplete: "off", placeholder: "tw_…", id: "key" });
  const message = el("p", { class: "form-error", role: "alert" });
  const form = el("form", { class: "signin", id: "signin" },
    el("h1", {}, "Sign in"),
    el("p", {}, "Paste a read key of your project (POST /api/projects answers one; ./run.sh prints the dev project's). "
      + "It stays in this browser tab only (sessionStorage) and is sent as a header, never in a URL."),
    el("label", { for: "key" }, "Read key"),
    input,
    el("button", { type: "submit" }, "Sign in"),
    message);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      message.textContent = "Paste a key first.";
      return;
    }
    signIn(key);
    try {
      await get("/api/sessions", [["limit", "1"]]);
      done();
    } catch (e) {
      signOut();
      const error = e instanceof ApiError ? e : new ApiError(0, "Sign-in failed", String(e));
      message.textContent = error.status === 401
        ? "This key is not known: check that it was copied whole, or create a new one."
        : error.status === 403
          ? "This key cannot read: sign in with a key that has the read scope."
          : `${error.title}. ${error.detail}`;
    }
  });
  replace(app, form);
  input.focus();
}
