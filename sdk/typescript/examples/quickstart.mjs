// The example of the product documentation, as written; only `callLLM` is stubbed and `messages` defined.
// Run: TRACEWAY_API_KEY=<ingest key> TRACEWAY_BASE_URL=http://127.0.0.1:7071 node examples/quickstart.mjs
import { callLLM } from './stub-llm.mjs';
const messages = [{ role: 'user', content: 'What is Kubernetes?' }];

import { Traceway } from 'traceway';
const tw = new Traceway();
const sessionId = 'session_abc123';
const reply1 = await tw.trace('chat-turn', async (ctx) => {
  const response = await ctx.llmCall('gpt-4o', {
    model: 'gpt-4o',
    provider: 'openai',
    input: [{ role: 'user', content: 'What is Kubernetes?' }],
  }, async (span) => {
    const result = await callLLM(messages);
    span.setOutput(result);
    return result;
  });
  return response;
}, { sessionId });
// low-level API
const trace = await tw.createTrace('chat-turn', { sessionId: 'session_abc123' });
