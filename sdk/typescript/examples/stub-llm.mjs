// A stand-in for a real LLM client: answers like OpenAI's chat completions API, usage included.
// EXAMPLE_TURN (default 1) varies the answer, so running the example twice gives two distinct turns.
const turn = Number(process.env.EXAMPLE_TURN ?? 1);

export async function callLLM(messages) {
  await new Promise(resolve => setTimeout(resolve, 20));
  return {
    id: `chatcmpl-stub-${turn}`,
    object: 'chat.completion',
    model: 'gpt-4o',
    choices: [{ index: 0, message: { role: 'assistant', content: `Kubernetes orchestrates containers (answer ${turn} to ${messages.length} message).` }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10 + 2 * turn, completion_tokens: 200 + 30 * turn, total_tokens: 210 + 32 * turn },
  };
}
