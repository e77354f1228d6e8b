// The only way the dashboard builds its page: elements and text nodes. Values from traces are user content, so
// they only ever become text (textContent / text nodes), never HTML; there is no innerHTML anywhere.

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  title?: string;
  id?: string;
  href?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  for?: string;
  step?: string;
  start?: string;
  min?: string;
  autocomplete?: string;
  role?: string;
  open?: boolean;
  disabled?: boolean;
  data?: Record<string, string>;
  aria?: Record<string, string>;
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") {
      for (const [event, handler] of Object.entries(value as Record<string, (e: Event) => void>)) element.addEventListener(event, handler);
    } else if (key === "data" || key === "aria") {
      for (const [name, v] of Object.entries(value as Record<string, string>)) element.setAttribute(`${key}-${name.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`, v);
    } else if (key === "value" && "value" in element) {
      (element as HTMLInputElement).value = String(value);
    } else if (key === "href") {
      element.setAttribute("href", safeHref(String(value)));
    } else {
      element.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces everything inside parent. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Links stay inside the dashboard: only its own hash routes, never javascript: or another origin. */
function safeHref(href: string): string {
  return href.startsWith("#/") ? href : "#/sessions";
}

const svgNamespace = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNamespace, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  append(element, children);
  return element;
}
