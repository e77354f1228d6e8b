// The real Traceway the end-to-end tests run against: TRACEWAY_BASE_URL, TRACEWAY_API_KEY (ingest) and
// TRACEWAY_READ_KEY (the replay assertions). The .NET test TypeScriptSdkTests starts the app and sets them.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

export const baseUrl = process.env.TRACEWAY_BASE_URL;
export const ingestKey = process.env.TRACEWAY_API_KEY;
const readKey = process.env.TRACEWAY_READ_KEY;

/** Skips a test file when no Traceway is configured (e.g. `npm test` alone). */
export const skip = baseUrl && ingestKey && readKey ? false : 'needs TRACEWAY_BASE_URL, TRACEWAY_API_KEY and TRACEWAY_READ_KEY (run through ./test.sh)';

export async function get(path) {
  const response = await fetch(baseUrl.replace(/\/+$/, '') + path, { headers: { authorization: `Bearer ${readKey}` } });
  const body = await response.json().catch(() => undefined);
  return { status: response.status, body };
}

/** Polls `read` until `done(value)` holds (the session summary comes from the change feed), or fails with the last value. */
export async function waitFor(read, done, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** The session's rolled-up summary from the session list (null until the change feed has written it). */
export async function sessionSummary(sessionId) {
  const { body } = await get('/api/sessions?limit=200');
  return body?.items?.find(s => s.sessionId === sessionId) ?? null;
}

export const replay = async sessionId => (await get(`/api/sessions/${encodeURIComponent(sessionId)}/replay`)).body;

/** Runs a Node script with the given environment; resolves with its exit code and output. */
export function runNode(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', d => { output += d; });
    child.stderr.on('data', d => { output += d; });
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('error', reject);
    child.on('close', code => { clearTimeout(timer); resolve({ code, output }); });
  });
}

/**
 * A proxy in front of the real app on 127.0.0.1 whose answers the test scripts: `plan(n)` returns
 * 'pass' (forward), 'refuse' (answer 503 without forwarding) or 'lose-answer' (forward, store, but
 * answer 503, as when a response is lost on the way back).
 */
export async function startFaultProxy(plan) {
  const log = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      const step = plan(log.length);
      log.push(step);
      let answer = { status: 503, text: JSON.stringify({ title: 'The store is unavailable' }) };
      if (step !== 'refuse') {
        const headers = Object.fromEntries(['authorization', 'content-type', 'content-encoding'].filter(h => req.headers[h]).map(h => [h, req.headers[h]]));
        const response = await fetch(baseUrl.replace(/\/+$/, '') + req.url, { method: req.method, headers, body: Buffer.concat(chunks) });
        const text = await response.text();
        if (step === 'pass') answer = { status: response.status, text };
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.status === 503 ? { 'retry-after': '0' } : {}) });
      res.end(answer.text);
    });
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, log, close: () => new Promise(r => { server.closeAllConnections(); server.close(r); }) };
}
