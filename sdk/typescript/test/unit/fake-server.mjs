// A fake ingest endpoint on 127.0.0.1 for transport faults only: it records each request (gunzipped)
// and answers what the test scripts. The real app is exercised by the end-to-end tests.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

/**
 * @param {(request: {n: number, body: any}) => ({status?: number, headers?: Record<string,string>, body?: any})} answer
 */
export async function startFakeServer(answer = () => ({ status: 200 })) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      const text = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const request = { n: requests.length, at: Date.now(), headers: req.headers, encoding, rawBytes: raw.length, body: JSON.parse(text) };
      requests.push(request);
      const reply = answer(request) ?? {};
      const status = reply.status ?? 200;
      const body = reply.body ?? (status === 200 ? { accepted: request.body.traces.length + request.body.spans.length, rejected: 0 } : { title: 'fake' });
      res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Items of the requests answered 200, as "kind:id" strings. */
    stored(statuses = new Map()) {
      return requests.filter(r => (statuses.get(r.n) ?? 200) === 200).flatMap(r => [...r.body.traces.map(t => `trace:${t.id}`), ...r.body.spans.map(s => `span:${s.id}`)]);
    },
    close: () => new Promise(resolve => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort() {
  const server = createServer();
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise(resolve => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

export function allItems(requests) {
  return requests.flatMap(r => [...r.body.traces.map(t => ({ kind: 'trace', ...t })), ...r.body.spans.map(s => ({ kind: 'span', ...s }))]);
}
