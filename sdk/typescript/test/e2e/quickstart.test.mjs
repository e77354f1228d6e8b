// The documentation's example, as written (callLLM stubbed), run twice: one session of two turns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { baseUrl, get, ingestKey, replay, runNode, sessionSummary, skip, waitFor } from './traceway-api.mjs';

const example = fileURLToPath(new URL('../../examples/quickstart.mjs', import.meta.url));
const question = [{ role: 'user', content: 'What is Kubernetes?' }];
// What the stub answers in turn n, and the gpt-4o list price (USD per million tokens: 2.50 in, 10.00 out).
const turns = [
  { content: 'Kubernetes orchestrates containers (answer 1 to 1 message).', inputTokens: 12, outputTokens: 230 },
  { content: 'Kubernetes orchestrates containers (answer 2 to 1 message).', inputTokens: 14, outputTokens: 260 },
];
const estimated = t => (t.inputTokens * 2.5 + t.outputTokens * 10) / 1e6;

test('the documented example, run twice, replays as one session of two turns with inputs, responses, model and estimated cost', { skip }, async () => {
  for (const n of [1, 2]) {
    const run = await runNode([example], { TRACEWAY_BASE_URL: baseUrl, TRACEWAY_API_KEY: ingestKey, EXAMPLE_TURN: String(n) });
    assert.equal(run.code, 0, run.output);
    assert.equal(run.output, '', 'the example prints nothing: no warning, no error');
  }

  const summary = await waitFor(() => sessionSummary('session_abc123'), s => s?.traceCount === 2 && s.spanCount === 2);
  const session = await replay('session_abc123');

  assert.equal(session.turns.length, 2);
  for (const [i, turn] of session.turns.entries()) {
    const expected = turns[i];
    assert.equal(turn.name, 'chat-turn');
    assert.equal(turn.status, 'ok');
    assert.deepEqual(turn.userInput, question);
    assert.equal(turn.response.choices[0].message.content, expected.content);
    assert.equal(turn.steps.length, 1);
    const [llm] = turn.steps;
    assert.deepEqual([llm.kind, llm.name, llm.model, llm.depth, llm.inputTokens, llm.outputTokens], ['llm', 'gpt-4o', 'gpt-4o', 0, expected.inputTokens, expected.outputTokens]);
    assert.ok(Math.abs(llm.cost - estimated(expected)) < 1e-9, `cost ${llm.cost} is the estimate ${estimated(expected)}`);
    assert.ok(Math.abs(turn.cost - estimated(expected)) < 1e-9);
    assert.ok(llm.durationMs >= 15, `the LLM call took the stub's 20 ms; got ${llm.durationMs}`);
    const trace = (await get(`/api/traces/${encodeURIComponent(turn.traceId)}`)).body;
    assert.equal(trace.spans[0].costSource, 'estimated');
    assert.equal(trace.spans[0].provider, 'openai');
  }
  assert.ok(session.turns[0].startedAt < session.turns[1].startedAt);
  assert.deepEqual(summary.models, ['gpt-4o']);
  assert.deepEqual([summary.inputTokens, summary.outputTokens, summary.status], [26, 490, 'ok']);
  assert.ok(Math.abs(summary.totalCost - estimated(turns[0]) - estimated(turns[1])) < 1e-9, `totalCost ${summary.totalCost}`);
});
