// An agent-style turn: LLM call, two tool calls in parallel (one failing, one with a nested retrieval), LLM call.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Traceway } from '../../dist/index.js';
import { replay, sessionSummary, skip, waitFor } from './traceway-api.mjs';

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

test('an agent turn replays with its nesting, start order, failed tool and durations', { skip }, async () => {
  const errors = [];
  const tw = new Traceway({ onError: e => errors.push(e) });
  const sessionId = `agent-${randomUUID()}`;

  const answer = await tw.trace('agent-turn', async ctx => ctx.span('agent', { kind: 'agent', input: 'Weather and AAPL?' }, async () => {
    await ctx.llmCall('plan', { model: 'gpt-4o-mini', provider: 'openai', input: [{ role: 'user', content: 'Weather and AAPL?' }] }, async span => {
      await sleep(10);
      span.setUsage({ inputTokens: 100, outputTokens: 20 });
      return { tool_calls: ['weather', 'stocks'] };
    });
    const [weather, stocks] = await Promise.allSettled([
      ctx.toolCall('weather', { input: { city: 'Oslo' } }, async () => {
        const docs = await ctx.retrieval('forecast-index', { input: 'Oslo' }, async () => { await sleep(30); return ['sunny']; });
        await sleep(30);
        return { forecast: docs[0] };
      }),
      ctx.toolCall('stocks', { input: { symbol: 'AAPL' } }, async () => { await sleep(20); throw new Error('quote service: quota exceeded'); }),
    ]);
    return ctx.llmCall('answer', { model: 'gpt-4o', provider: 'openai', input: { weather: weather.value, stocks: stocks.reason.message } }, async span => {
      span.setUsage({ inputTokens: 300, outputTokens: 40 }).setCost(0.01);
      return 'Sunny in Oslo; AAPL unavailable.';
    });
  }), { sessionId, userId: 'u-agent' });
  await tw.shutdown();

  assert.equal(answer, 'Sunny in Oslo; AAPL unavailable.');
  assert.deepEqual(errors, []);
  const summary = await waitFor(() => sessionSummary(sessionId), s => s?.spanCount === 6);
  const [turn] = (await replay(sessionId)).turns;
  const steps = turn.steps;
  const by = Object.fromEntries(steps.map(s => [s.name, s]));

  assert.deepEqual(steps.map(s => [s.name, s.kind, s.depth]), [
    ['agent', 'agent', 0], ['plan', 'llm', 1], ['weather', 'tool', 1], ['forecast-index', 'retrieval', 2], ['stocks', 'tool', 1], ['answer', 'llm', 1],
  ]);
  assert.deepEqual([by.plan.parentId, by.weather.parentId, by.stocks.parentId, by.answer.parentId, by['forecast-index'].parentId],
    [by.agent.spanId, by.agent.spanId, by.agent.spanId, by.agent.spanId, by.weather.spanId]);
  assert.ok(by.plan.startedAt < by.weather.startedAt && by.weather.startedAt < by.stocks.startedAt && by.stocks.startedAt < by.answer.startedAt);
  assert.deepEqual([by.stocks.status, by.stocks.error, by.weather.status], ['error', 'quote service: quota exceeded', 'ok']);
  assert.deepEqual(by.weather.output, { forecast: 'sunny' });
  // Durations: the tools overlapped (parallel), the weather tool outlasted its retrieval, the agent spans them all.
  assert.ok(by['forecast-index'].durationMs >= 25 && by.weather.durationMs >= 55, JSON.stringify(steps.map(s => [s.name, s.durationMs])));
  assert.ok(by.stocks.durationMs >= 15 && by.stocks.durationMs < by.weather.durationMs);
  assert.ok(Date.parse(by.stocks.startedAt) < Date.parse(by.weather.startedAt) + by.weather.durationMs, 'the tools ran in parallel');
  assert.ok(Date.parse(by.answer.startedAt) >= Date.parse(by.weather.startedAt) + by.weather.durationMs - 1, 'the answer came after the tools (1 ms: times are compared in whole ms)');
  assert.ok(by.agent.durationMs >= by.plan.durationMs + by.weather.durationMs);
  assert.ok(turn.durationMs >= by.agent.durationMs);
  assert.deepEqual([turn.status, turn.response, turn.inputTokens, turn.outputTokens], ['error', 'Sunny in Oslo; AAPL unavailable.', 400, 60]);
  assert.deepEqual([summary.status, summary.errorCount, summary.traceCount, summary.userIds], ['error', 1, 1, ['u-agent']]);
  assert.deepEqual([...summary.models].sort(), ['gpt-4o', 'gpt-4o-mini']);
});
