// The tracing API against a fake endpoint that answers 200: what users write, what gets sent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { Traceway } from '../../dist/index.js';
import { allItems, startFakeServer } from './fake-server.mjs';

let fake;
const clients = [];
before(async () => { fake = await startFakeServer(); });
after(async () => {
  await Promise.all(clients.map(c => c.shutdown()));
  await fake.close();
});

function client(options = {}) {
  const tw = new Traceway({ apiKey: 'test-key', baseUrl: fake.url, flushIntervalMs: 60_000, ...options });
  clients.push(tw);
  return tw;
}

/** Runs an ES module script in a child Node process (asynchronously, so the fake server keeps answering). */
function runScript(script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on('error', reject);
    child.on('close', status => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

async function sent(tw, traceId) {
  await tw.flush();
  const items = allItems(fake.requests).filter(i => (i.kind === 'trace' ? i.id : i.traceId) === traceId);
  const traces = items.filter(i => i.traceId === undefined);
  return { trace: traces.at(-1), spans: items.filter(i => i.traceId !== undefined) };
}

test('trace returns what its function returns and records it as the output', async () => {
  const tw = client();
  let id;
  const reply = await tw.trace('chat-turn', async ctx => { id = ctx.id; return { answer: 42 }; }, { sessionId: 's-out', userId: 'u-1', tags: ['a'], metadata: { k: 'v' }, input: 'q?' });
  const { trace } = await sent(tw, id);
  assert.deepEqual(reply, { answer: 42 });
  assert.deepEqual(
    [trace.name, trace.sessionId, trace.userId, trace.tags, trace.metadata, trace.input, trace.output, trace.status],
    ['chat-turn', 's-out', 'u-1', ['a'], { k: 'v' }, 'q?', { answer: 42 }, 'ok']);
  assert.ok(trace.endedAt >= trace.startedAt);
});

test('a synchronous function gets its value back synchronously', () => {
  const tw = client();
  const value = tw.trace('sync', ctx => ctx.span('step', () => 7));
  assert.equal(value, 7);
});

test('spans nest under the running span across awaits, and concurrent traces never mix', async () => {
  const tw = client();
  const turn = (n) => tw.trace(`turn-${n}`, async ctx => {
    await ctx.span('agent', { kind: 'agent' }, async () => {
      await new Promise(r => setTimeout(r, 5 * (3 - n)));
      await ctx.llmCall('gpt-4o', { model: 'gpt-4o', provider: 'openai', input: `q${n}` }, async () => {
        await ctx.retrieval('search', { input: n }, async () => `doc${n}`);
        return `a${n}`;
      });
    });
    return ctx.id;
  });
  const ids = await Promise.all([turn(1), turn(2)]);
  for (const [n, id] of ids.entries()) {
    const { spans } = await sent(tw, id);
    const byName = Object.fromEntries(spans.map(s => [s.name, s]));
    assert.equal(spans.length, 3);
    assert.equal(byName.agent.parentId, null);
    assert.equal(byName['gpt-4o'].parentId, byName.agent.id);
    assert.equal(byName.search.parentId, byName['gpt-4o'].id);
    assert.deepEqual([byName.search.kind, byName.search.output, byName['gpt-4o'].input], ['retrieval', `doc${n + 1}`, `q${n + 1}`]);
  }
});

test('an exception marks the span and the trace error with its message and is rethrown unchanged', async () => {
  const tw = client();
  const thrown = new Error('tool exploded');
  let id;
  const caught = await tw.trace('failing', async ctx => {
    id = ctx.id;
    await ctx.toolCall('search', { input: 'x' }, async () => { throw thrown; });
  }).catch(e => e);
  const { trace, spans } = await sent(tw, id);
  assert.equal(caught, thrown);
  assert.deepEqual([spans[0].status, spans[0].error], ['error', 'tool exploded']);
  assert.deepEqual([trace.status, trace.metadata.error], ['error', 'tool exploded']);
});

test('setUsage, setCost and setMetadata are sent; usage is also read from an OpenAI-shaped output', async () => {
  const tw = client();
  const id = await tw.trace('usage', async ctx => {
    await ctx.llmCall('explicit', { model: 'gpt-4o', modelParameters: { temperature: 0 } }, async span => {
      span.setUsage({ inputTokens: 10, outputTokens: 20 }).setCost(0.5).setMetadata({ attempt: 1 }).setOutput({ usage: { prompt_tokens: 1, completion_tokens: 2 } });
    });
    await ctx.llmCall('inferred', { model: 'gpt-4o' }, async span => { span.setOutput({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 230 } }); });
    return ctx.id;
  });
  const { spans } = await sent(tw, id);
  const [explicit, inferred] = spans;
  assert.deepEqual([explicit.inputTokens, explicit.outputTokens, explicit.cost, explicit.attributes], [10, 20, 0.5, { modelParameters: { temperature: 0 }, attempt: 1 }]);
  assert.deepEqual([inferred.inputTokens, inferred.outputTokens, inferred.cost], [12, 230, undefined]);
});

test('low-level traces are sent when they end, spans when they end; a trace never ended sends nothing', async () => {
  const tw = client();
  const idle = tw.createTrace('never-ended', { sessionId: 's-low' });
  const trace = await tw.createTrace('chat-turn', { sessionId: 's-low' });
  const span = trace.llmCall('gpt-4o', { model: 'gpt-4o', input: 'hi' });
  const child = span.toolCall('lookup');
  child.end('found');
  span.end('hello');
  trace.update({ output: 'hello', tags: ['x'] });
  trace.end({ metadata: { done: true } });
  const { trace: item, spans } = await sent(tw, trace.id);
  assert.deepEqual([item.output, item.tags, item.metadata, item.status], ['hello', ['x'], { done: true }, 'ok']);
  assert.deepEqual(spans.map(s => [s.name, s.parentId, s.output]), [['lookup', span.id, 'found'], ['gpt-4o', null, 'hello']]);
  assert.equal((await sent(tw, idle.id)).trace, undefined);
});

test('outputs JSON cannot hold (cycles, BigInt) do not break tracing', async () => {
  const tw = client();
  const cyclic = { big: 10n };
  cyclic.self = cyclic;
  const id = await tw.trace('odd', async ctx => { await ctx.span('s', async () => cyclic); return ctx.id; });
  const { spans } = await sent(tw, id);
  assert.deepEqual(spans[0].output, { big: '10', self: '[Circular]' });
});

test('without an API key nothing is sent, one warning is given, and the code runs', async () => {
  const script = `
    import { Traceway } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
    const a = new Traceway(); const b = new Traceway();
    const v = await a.trace('t', async ctx => ctx.llmCall('m', {}, async () => 'ran'));
    await b.flush(); await b.shutdown();
    console.log(JSON.stringify({ v, enabled: a.enabled, stats: a.stats() }));`;
  const env = { ...process.env, TRACEWAY_BASE_URL: fake.url };
  delete env.TRACEWAY_API_KEY;
  const run = await runScript(script, env);
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.deepEqual([out.v, out.enabled, out.stats.requests], ['ran', false, 0]);
  assert.equal(run.stderr.match(/TRACEWAY_API_KEY/g)?.length, 1, run.stderr);
});

test('pending spans are sent when the process exits normally, without flush()', async () => {
  const before = fake.requests.length;
  const script = `
    import { Traceway } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
    const tw = new Traceway({ flushIntervalMs: 60000 });
    await tw.trace('exit-turn', async ctx => ctx.llmCall('gpt-4o', { model: 'gpt-4o' }, async () => 'bye'), { sessionId: 's-exit' });`;
  const run = await runScript(script, { ...process.env, TRACEWAY_API_KEY: 'k', TRACEWAY_BASE_URL: fake.url });
  assert.equal(run.status, 0, run.stderr);
  const items = allItems(fake.requests.slice(before));
  assert.deepEqual(items.map(i => i.name).sort(), ['exit-turn', 'gpt-4o']);
});
