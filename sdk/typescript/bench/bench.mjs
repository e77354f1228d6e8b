// SDK benchmark: CPU the SDK adds per span, and memory held by a 10,000-span backlog while the server is
// unreachable, against maxQueueSize. Each scenario runs in a fresh Node process (clean heap and RSS).
// Run: npm run bench (builds first), or: node bench/bench.mjs [--spans 100000]
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Traceway } from '../dist/index.js';

const self = fileURLToPath(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

const input = [{ role: 'user', content: 'What is Kubernetes? '.repeat(8) }];
const output = { role: 'assistant', content: 'Kubernetes orchestrates containers. '.repeat(6) };
const usage = { inputTokens: 120, outputTokens: 230 };

/**
 * `traces` turns of `perTrace` LLM calls; `tw` null runs the same code shape without the SDK. Each turn
 * yields to the event loop once, as a real turn waiting on the network would, so background sending runs.
 */
async function workload(tw, traces, perTrace) {
  const call = async () => output;
  for (let t = 0; t < traces; t++) {
    await new Promise(resolve => setImmediate(resolve));
    if (tw === null) {
      for (let s = 0; s < perTrace; s++) await call();
      continue;
    }
    await tw.trace('chat-turn', async ctx => {
      for (let s = 0; s < perTrace; s++) {
        await ctx.llmCall('gpt-4o', { model: 'gpt-4o', provider: 'openai', input }, async span => {
          span.setUsage(usage);
          return call();
        });
      }
    }, { sessionId: `bench-${t % 100}` });
  }
}

const closedUrl = async () => {
  const server = createServer();
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise(r => server.close(r));
  return `http://127.0.0.1:${port}`;
};

const scenarios = {
  /**
   * CPU per span. Modes: none (no SDK), disabled (enabled: false), queue (recorded and serialized, held
   * until after the measurement), sink (sent as it goes to a 200 sink in another process).
   */
  async cpu({ mode, spans, sink }) {
    const perTrace = 10;
    const traces = spans / perTrace;
    const hold = mode === 'queue' ? { flushAt: 1e9, flushIntervalMs: 1e9, maxQueueSize: 1e9 } : {};
    const tw = mode === 'none' ? null : new Traceway({ apiKey: 'bench', baseUrl: sink, enabled: mode !== 'disabled', onError: () => {}, ...hold });
    await workload(tw, 200, perTrace); // warm-up
    await tw?.flush();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await workload(tw, traces, perTrace);
    const callerCpu = process.cpuUsage(cpu0);
    await tw?.flush();
    const totalCpu = process.cpuUsage(cpu0);
    return { mode, spans, wallMs: performance.now() - t0, callerUs: callerCpu.user + callerCpu.system, totalUs: totalCpu.user + totalCpu.system, stats: tw?.stats() };
  },
  /** Memory of a backlog: the server is unreachable and retries wait long, so everything ended stays held (up to the bound). */
  async memory({ maxQueueSize, spans }) {
    const url = await closedUrl();
    const tw = new Traceway({ apiKey: 'bench', baseUrl: url, maxQueueSize, maxRetries: 1000, retryInitialDelayMs: 60_000, onError: () => {} });
    globalThis.gc();
    const before = process.memoryUsage();
    await workload(tw, spans / 100, 100);
    await new Promise(r => setTimeout(r, 50)); // the first batch goes in flight and fails to connect
    globalThis.gc();
    const after = process.memoryUsage();
    const stats = tw.stats();
    return { maxQueueSize, spans, held: stats.queued + stats.inFlight, dropped: stats.dropped, heapMiB: (after.heapUsed - before.heapUsed) / 2 ** 20, rssMiB: (after.rss - before.rss) / 2 ** 20 };
  },
};

if (process.argv[2] === '--sink') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"accepted":0,"rejected":0}'); });
  });
  server.listen(0, '127.0.0.1', () => process.send(`http://127.0.0.1:${server.address().port}`));
} else if (process.argv[2] === '--scenario') {
  const result = await scenarios[process.argv[3]](JSON.parse(process.argv[4]));
  process.send(result, () => process.exit(0));
} else {
  const spans = Number(arg('spans', 100_000));
  const run = (name, params) => new Promise((resolve, reject) => {
    const child = fork(self, ['--scenario', name, JSON.stringify(params)], { execArgv: ['--expose-gc'] });
    child.on('message', resolve);
    child.on('exit', code => code === 0 || reject(new Error(`${name} exited ${code}`)));
  });

  // The sink runs in its own process, so its CPU is not counted against the SDK.
  const sink = fork(self, ['--sink']);
  const sinkUrl = await new Promise(resolve => sink.on('message', resolve));
  const rows = [];
  for (const mode of ['none', 'disabled', 'queue', 'sink']) rows.push(await run('cpu', { mode, spans, sink: sinkUrl }));
  sink.kill();
  const [none, disabled, queued, sent] = rows;
  const perSpan = (r, key) => ((r[key] - none[key]) / spans).toFixed(2);

  console.log(`\nCPU the SDK adds per span (${spans.toLocaleString('en-US')} LLM spans in ${spans / 10} traces; process.cpuUsage, minus the same code without the SDK; goal < 20 µs)`);
  console.log('| mode | wall ms | CPU µs/span on the caller\'s path | CPU µs/span incl. background sending |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| without the SDK (baseline) | ${none.wallMs.toFixed(0)} | (${(none.callerUs / spans).toFixed(2)} absolute) | — |`);
  console.log(`| SDK, enabled: false | ${disabled.wallMs.toFixed(0)} | ${perSpan(disabled, 'callerUs')} | ${perSpan(disabled, 'totalUs')} |`);
  console.log(`| SDK, recorded and queued, sent after the run | ${queued.wallMs.toFixed(0)} | ${perSpan(queued, 'callerUs')} | ${perSpan(queued, 'totalUs')} |`);
  console.log(`| SDK, sending to a local sink (${sent.stats.requests} requests, ${sent.stats.sent} items sent, ${sent.stats.dropped} dropped by the queue bound) | ${sent.wallMs.toFixed(0)} | ${perSpan(sent, 'callerUs')} | ${perSpan(sent, 'totalUs')} |`);

  console.log('\nMemory with a 10,000-span backlog, server unreachable (heap and RSS growth after GC)');
  console.log('| maxQueueSize | spans ended | items held (queued + in flight) | dropped | heap MiB | RSS MiB |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const maxQueueSize of [1_000, 10_000, 20_000]) {
    const m = await run('memory', { maxQueueSize, spans: 10_000 });
    console.log(`| ${maxQueueSize.toLocaleString('en-US')} | ${m.spans.toLocaleString('en-US')} | ${m.held.toLocaleString('en-US')} | ${m.dropped.toLocaleString('en-US')} | ${m.heapMiB.toFixed(1)} | ${m.rssMiB.toFixed(1)} |`);
  }
  console.log(`\n(each span ~${JSON.stringify({ input, output }).length + 300} bytes of JSON; items are traces and spans; Node ${process.version}; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`);
}
