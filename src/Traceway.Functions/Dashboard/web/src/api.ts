// The public query API (API.md), called with the read key the user pasted. The key lives in sessionStorage (gone
// when the tab closes), is sent as an Authorization header, and never goes into a URL or a log.

const keyName = "traceway.readKey";

export function readKey(): string | null {
  return sessionStorage.getItem(keyName);
}

export function signIn(key: string): void {
  sessionStorage.setItem(keyName, key.trim());
}

export function signOut(): void {
  sessionStorage.removeItem(keyName);
}

/** An RFC 7807 problem the API answered, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: Record<string, string[]> = {},
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

export type Params = [string, string][];

export async function get<T>(path: string, params: Params = []): Promise<T> {
  const key = readKey();
  if (!key) throw new ApiError(401, "Not signed in", "Paste a read key to sign in.");
  const query = new URLSearchParams(params).toString();
  let response: Response;
  try {
    response = await fetch(path + (query ? `?${query}` : ""), {
      headers: { Authorization: `Bearer ${key}`, Accept: "application/json" },
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch {
    throw new ApiError(0, "Traceway does not answer", "Check that the app is running (./run.sh), then try again.");
  }
  if (response.ok) return (await response.json()) as T;
  let problem: { title?: string; detail?: string; errors?: Record<string, string[]> } = {};
  try {
    problem = await response.json();
  } catch {
    // Not a problem document (a proxy's error page): the status says enough.
  }
  throw new ApiError(response.status, problem.title ?? response.statusText ?? "Request failed", problem.detail ?? "", problem.errors ?? {});
}

export interface SessionSummary {
  sessionId: string;
  traceCount: number;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  totalCost: number;
  startedAt: string;
  endedAt: string | null;
  lastActivityAt: string;
  durationMs: number | null;
  status: string;
  errorCount: number;
  tags: string[];
  models: string[];
  userIds: string[];
  maxInputTokens: number | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Step {
  spanId: string;
  parentId: string | null;
  depth: number;
  kind: string;
  name: string;
  model: string | null;
  startedAt: string;
  durationMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  status: string;
  error: string | null;
  input: unknown;
  output: unknown;
}

export interface Turn {
  traceId: string;
  name: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  cost: number;
  status: string;
  userInput: unknown;
  response: unknown;
  steps: Step[];
  warnings: string[];
}

export interface Replay {
  session: SessionSummary;
  turns: Turn[];
  nextCursor: string | null;
}

export interface SessionStats {
  sessionCount: number;
  traceCount: number;
  avgTurns: number;
  medianTurns: number;
  turnHistogram: { turns: number; sessions: number }[];
  totalCost: number;
  costP50: number;
  costP95: number;
  errorSessions: number;
  errorRate: number;
  models: { model: string; sessions: number; cost: number; tokens: number }[];
}
