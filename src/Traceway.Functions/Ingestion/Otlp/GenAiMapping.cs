namespace Traceway.Ingestion.Otlp;

/// <summary>
/// Which OpenTelemetry attributes become which Traceway span fields. Instrumentations disagree (the GenAI semantic
/// conventions, OpenLLMetry, OpenInference, the Vercel AI SDK, Microsoft.Extensions.AI), so each field lists every
/// key seen in the wild, the first present winning. The README's OTLP table is this file in prose.
/// </summary>
internal static class GenAiMapping
{
    public static readonly string[] SessionKeys =
    [
        "session.id", "gen_ai.conversation.id", "traceloop.association.properties.session_id",
        "ai.settings.context.sessionId", "ai.telemetry.metadata.sessionId", "langfuse.session.id",
    ];

    public static readonly string[] UserKeys =
    [
        "user.id", "enduser.id", "traceloop.association.properties.user_id",
        "ai.settings.context.userId", "ai.telemetry.metadata.userId", "langfuse.user.id",
    ];

    public static readonly string[] ModelKeys = ["gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "ai.model.id"];

    public static readonly string[] ProviderKeys = ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system", "ai.model.provider"];

    public static readonly string[] InputTokenKeys = ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt", "ai.usage.inputTokens"];

    public static readonly string[] OutputTokenKeys = ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion", "ai.usage.outputTokens"];

    public static readonly string[] CostKeys = ["gen_ai.usage.cost", "llm.cost.total"];

    public const string TagsKey = "tag.tags";

    /// <summary>The Traceway span kind: the GenAI operation, else each instrumentation's own kind attribute, else what the attributes imply.</summary>
    public static string Kind(OtlpAttributes attributes) =>
        OperationKind(attributes.FirstText(["gen_ai.operation.name"])?.Text)
        ?? OpenInferenceKind(attributes.FirstText(["openinference.span.kind"])?.Text)
        ?? TraceloopKind(attributes.FirstText(["traceloop.span.kind"])?.Text)
        ?? (attributes.FirstText(["llm.request.type"])?.Text is "chat" or "completion" ? "llm" : null)
        ?? AiSdkKind(attributes.FirstText(["ai.operationId"])?.Text)
        ?? (attributes.Has("gen_ai.tool.name") ? "tool" : null)
        ?? (attributes.FirstText(ModelKeys) is not null ? "llm" : null)
        ?? "custom";

    /// <summary>
    /// Whether usage and cost on a span of this kind count toward trace and session totals. Agent and chain spans
    /// repeat the sum of their children's usage (the AI SDK's <c>invoke_agent</c> and <c>ai.generateText</c>
    /// roots), so only the calls themselves count; the rest stays in attributes.
    /// </summary>
    public static bool CountsUsage(string kind) => kind is "llm" or "embedding";

    /// <summary>The provider, lower-cased (instrumentations send <c>openai</c>, <c>OpenAI</c>, <c>openai.chat</c>).</summary>
    public static string? Provider(OtlpAttributes attributes) =>
        attributes.FirstText(ProviderKeys)?.Text.ToLowerInvariant();

    private static string? OperationKind(string? operation) => operation switch
    {
        "chat" or "text_completion" or "generate_content" => "llm",
        "embeddings" => "embedding",
        "execute_tool" => "tool",
        "retrieval" => "retrieval",
        "invoke_agent" or "create_agent" => "agent",
        "invoke_workflow" or "agent_step" => "chain",
        _ => null,
    };

    private static string? OpenInferenceKind(string? kind) => kind?.ToUpperInvariant() switch
    {
        "LLM" => "llm",
        "TOOL" => "tool",
        "RETRIEVER" => "retrieval",
        "EMBEDDING" => "embedding",
        "AGENT" => "agent",
        "CHAIN" => "chain",
        _ => null,
    };

    private static string? TraceloopKind(string? kind) => kind switch
    {
        "tool" => "tool",
        "agent" => "agent",
        "workflow" or "task" => "chain",
        _ => null,
    };

    private static string? AiSdkKind(string? operationId) => operationId switch
    {
        null => null,
        _ when operationId.EndsWith(".doGenerate", StringComparison.Ordinal) || operationId.EndsWith(".doStream", StringComparison.Ordinal) => "llm",
        _ when operationId.EndsWith(".doEmbed", StringComparison.Ordinal) => "embedding",
        "ai.toolCall" => "tool",
        _ when operationId.StartsWith("ai.", StringComparison.Ordinal) => "chain",
        _ => null,
    };
}
