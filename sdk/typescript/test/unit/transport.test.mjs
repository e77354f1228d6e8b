// Transport faults against a fake endpoint (the seam): 503 then 200, server down, 207, 4xx, queue bound, gzip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Traceway } from '../../dist/index.js';
import { allItems, closedPort, startFakeServer } from './fake-server.mjs';

/** Two turns of three spans each: 8 items (the trace start travels with its first span and is replaced by its end). */
async function twoTurns(tw) {
  for (const n of [1, 2]) {
    await tw.trace(`turn-${n}`, async ctx => {
      await ctx.llmCall('gpt-4o', { model: 'gpt-4o', input: `q${n}` }, async () => `a${n}`);
      await Promise.all([ctx.toolCall('a', async () => 1), ctx.toolCall('b', async () => 2)]);
      return `done ${n}`;
    }, { sessionId: 'transport' });
  }
}

function collect() {
  const errors = [];
  return { errors, onError: e => errors.push(e) };
}

test('503 then 200: every item arrives, none twice, after waiting what Retry-After says', async () => {
  const fake = await startFakeServer(({ n }) => (n < 2 ? { status: 503, headers: { 'retry-after': '0.2' } } : { status: 200 }));
  const { errors, onError } = collect();
  const tw = new Traceway({ apiKey: 'k', baseUrl: fake.url, flushAt: 1000, retryInitialDelayMs: 1, onError });
  await twoTurns(tw);
  await tw.shutdown();
  await fake.close();

  const stored = fake.requests.slice(2).flatMap(r => allItems([r]));
  const ids = stored.map(i => `${i.traceId === undefined ? 'trace' : 'span'}:${i.id}`);
  assert.equal(fake.requests.length, 3);
  assert.equal(new Set(ids).size, ids.length, 'no item twice');
  assert.equal(stored.filter(i => i.traceId === undefined).length, 2);
  assert.equal(stored.filter(i => i.traceId !== undefined).length, 6);
  assert.ok(stored.filter(i => i.traceId === undefined).every(t => t.output !== undefined), 'the stored traces are the ended ones');
  assert.ok(fake.requests[1].at - fake.requests[0].at >= 190, 'Retry-After honoured');
  assert.deepEqual(errors, []);
  assert.deepEqual([tw.stats().sent, tw.stats().retries, tw.stats().dropped], [8, 2, 0]);
});

test('server down for the whole run: the code completes and onError reports every dropped item', async () => {
  const { errors, onError } = collect();
  const tw = new Traceway({ apiKey: 'k', baseUrl: await closedPort(), flushAt: 1000, maxRetries: 2, retryInitialDelayMs: 1, onError });
  let turns = 0;
  await twoTurns(tw).then(() => { turns = 2; });
  await tw.shutdown();

  assert.equal(turns, 2);
  const dropped = errors.filter(e => e.kind === 'dropped');
  assert.equal(dropped.reduce((sum, e) => sum + e.dropped, 0), 8);
  assert.match(dropped[0].message, /8 items \(2 traces, 6 spans\) dropped: network error.*ECONNREFUSED.*after 3 attempts/);
  assert.deepEqual(dropped[0].items.filter(i => i.kind === 'trace').length, 2);
  assert.equal(tw.stats().dropped, 8);
});

test('a 207 reaches onError with the refused item and its reason; items the store could not take yet are resent', async () => {
  let refusedId;
  let busyId;
  const fake = await startFakeServer(({ n, body }) => {
    if (n > 0) return { status: 200 };
    refusedId = body.spans[0].id;
    busyId = body.spans[1].id;
    return {
      status: 207,
      body: {
        accepted: body.spans.length + body.traces.length - 2, rejected: 2, errors: [
          { kind: 'span', index: 0, id: refusedId, status: 400, detail: 'inputTokens must be an integer from 0 to 1,000,000,000; got -1.', field: 'inputTokens' },
          { kind: 'span', index: 1, id: busyId, status: 503, detail: 'The store did not answer.' },
        ],
      },
    };
  });
  const { errors, onError } = collect();
  const tw = new Traceway({ apiKey: 'k', baseUrl: fake.url, flushAt: 1000, retryInitialDelayMs: 1, onError });
  await twoTurns(tw);
  await tw.flush();
  await tw.shutdown();
  await fake.close();

  assert.equal(errors.length, 1);
  assert.deepEqual([errors[0].kind, errors[0].status, errors[0].dropped], ['rejected', 207, 1]);
  assert.deepEqual(errors[0].items, [{ kind: 'span', index: 0, id: refusedId, status: 400, detail: 'inputTokens must be an integer from 0 to 1,000,000,000; got -1.', field: 'inputTokens' }]);
  assert.match(errors[0].message, /inputTokens must be an integer/);
  assert.deepEqual(fake.requests[1].body.spans.map(s => s.id), [busyId]);
  assert.deepEqual([tw.stats().sent, tw.stats().rejected], [7, 1]);
});

test('a 400 is not retried and reaches onError with the server\'s reasons', async () => {
  const fake = await startFakeServer(() => ({ status: 400, body: { title: 'The request\'s items are invalid', detail: 'No item was stored: spans[0].name: name is required.', items: [{ kind: 'span', index: 0, id: 'x', status: 400, detail: 'name is required.' }] } }));
  const { errors, onError } = collect();
  const tw = new Traceway({ apiKey: 'k', baseUrl: fake.url, flushAt: 1000, retryInitialDelayMs: 1, onError });
  await twoTurns(tw);
  await tw.shutdown();
  await fake.close();

  assert.equal(fake.requests.length, 1);
  assert.deepEqual([errors.length, errors[0].kind, errors[0].status, errors[0].dropped, errors[0].items[0].detail], [1, 'rejected', 400, 8, 'name is required.']);
  assert.match(errors[0].message, /HTTP 400: No item was stored: spans\[0\]\.name/);
});

test('the queue is bounded: beyond maxQueueSize items are dropped, counted and reported', async () => {
  const { errors, onError } = collect();
  const tw = new Traceway({ apiKey: 'k', baseUrl: await closedPort(), maxQueueSize: 5, flushAt: 1000, maxRetries: 0, onError });
  await twoTurns(tw); // 8 items
  const held = tw.stats();
  await tw.shutdown();

  assert.equal(held.queued + held.inFlight, 5);
  assert.equal(held.dropped, 3);
  const overflow = errors.filter(e => /queue is full \(maxQueueSize 5\)/.test(e.message));
  assert.equal(overflow.reduce((sum, e) => sum + e.dropped, 0), 3);
});

test('large batches are gzipped; small ones are not', async () => {
  const fake = await startFakeServer();
  const tw = new Traceway({ apiKey: 'k', baseUrl: fake.url, flushAt: 1000, gzipThresholdBytes: 2000 });
  await tw.trace('small', async () => 'x');
  await tw.flush();
  await tw.trace('big', async () => 'y'.repeat(5000));
  await tw.shutdown();
  await fake.close();

  assert.deepEqual(fake.requests.map(r => r.encoding), [undefined, 'gzip']);
  assert.ok(fake.requests[1].rawBytes < 1000);
  assert.equal(fake.requests[1].body.traces[0].output.length, 5000);
});

test('the API key is sent as a bearer token to POST /api/ingest', async () => {
  const fake = await startFakeServer();
  const tw = new Traceway({ apiKey: 'twk_secret', baseUrl: fake.url + '/' });
  await tw.trace('t', () => 1);
  await tw.shutdown();
  await fake.close();
  assert.equal(fake.requests[0].headers.authorization, 'Bearer twk_secret');
  assert.match(fake.requests[0].headers['content-type'], /^application\/json/);
});
