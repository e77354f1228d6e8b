// Transport faults against the real app: 503s (one after the data was stored), and a real 207.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Traceway } from '../../dist/index.js';
import { baseUrl, replay, sessionSummary, skip, startFaultProxy, waitFor } from './traceway-api.mjs';

test('503 then 200, even after a stored batch whose answer was lost: nothing lost, nothing duplicated in the summaries', { skip }, async () => {
  const proxy = await startFaultProxy(n => ['lose-answer', 'refuse'][n] ?? 'pass');
  const errors = [];
  const tw = new Traceway({ baseUrl: proxy.url, flushAt: 1000, retryInitialDelayMs: 10, onError: e => errors.push(e) });
  const sessionId = `faults-${randomUUID()}`;
  for (const n of [1, 2, 3]) {
    await tw.trace('chat-turn', async ctx => {
      await ctx.llmCall('gpt-4o', { model: 'gpt-4o', input: `question ${n}` }, async span => { span.setUsage({ inputTokens: 100 * n, outputTokens: 10 * n }); return `answer ${n}`; });
      await ctx.toolCall('lookup', { input: n }, async () => n);
      return `answer ${n}`;
    }, { sessionId });
  }
  await tw.shutdown();
  await proxy.close();

  assert.deepEqual(proxy.log, ['lose-answer', 'refuse', 'pass']);
  assert.deepEqual(errors, []);
  const summary = await waitFor(() => sessionSummary(sessionId), s => s?.traceCount === 3 && s.spanCount === 6);
  assert.deepEqual([summary.traceCount, summary.spanCount, summary.inputTokens, summary.outputTokens, summary.errorCount], [3, 6, 600, 60, 0]);
  const turns = (await replay(sessionId)).turns;
  assert.deepEqual(turns.map(t => [t.response, t.steps.length]), [['answer 1', 2], ['answer 2', 2], ['answer 3', 2]]);
});

test('a 207 from the real app reaches onError with the refused item and its reason; the rest is stored', { skip }, async () => {
  const errors = [];
  const tw = new Traceway({ onError: e => errors.push(e) });
  const sessionId = `partial-${randomUUID()}`;
  let traceId;
  await tw.trace('tagged', async ctx => {
    traceId = ctx.id;
    await ctx.toolCall('lookup', async () => 'ok');
  }, { sessionId, tags: ['x'.repeat(300)] });
  await tw.shutdown();

  assert.equal(errors.length, 1, errors.map(e => e.message).join('\n'));
  const [error] = errors;
  assert.deepEqual([error.kind, error.status, error.dropped, error.items.length], ['rejected', 207, 1, 1]);
  assert.deepEqual([error.items[0].kind, error.items[0].id, error.items[0].status, error.items[0].field], ['trace', traceId, 400, 'tags']);
  assert.match(error.items[0].detail, /tags must hold strings of 1 to 200 characters/);
  await waitFor(() => sessionSummary(sessionId), s => s?.spanCount === 1);
  assert.ok(baseUrl);
});
