/** Token counts of one LLM call. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * Token counts found in a provider's response, so `span.setOutput(response)` is enough for the usual
 * shapes: OpenAI chat (`usage.prompt_tokens`), OpenAI responses and Anthropic (`usage.input_tokens`),
 * the Vercel AI SDK (`usage.promptTokens` / `usage.inputTokens`) and Gemini (`usageMetadata`).
 */
export function usageOf(output: unknown): Usage | undefined {
  if (typeof output !== 'object' || output === null) {
    return undefined;
  }
  const record = output as Record<string, unknown>;
  const usage = record['usage'];
  if (typeof usage === 'object' && usage !== null) {
    const u = usage as Record<string, unknown>;
    return pair(
      u['prompt_tokens'] ?? u['input_tokens'] ?? u['promptTokens'] ?? u['inputTokens'],
      u['completion_tokens'] ?? u['output_tokens'] ?? u['completionTokens'] ?? u['outputTokens'],
    );
  }
  const gemini = record['usageMetadata'];
  if (typeof gemini === 'object' && gemini !== null) {
    const g = gemini as Record<string, unknown>;
    return pair(g['promptTokenCount'], g['candidatesTokenCount']);
  }
  return undefined;
}

function pair(input: unknown, output: unknown): Usage | undefined {
  const inputTokens = tokenCount(input);
  const outputTokens = tokenCount(output);
  return inputTokens === undefined && outputTokens === undefined ? undefined : { inputTokens, outputTokens };
}

export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
