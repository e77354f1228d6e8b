using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace Traceway.Tests.Otlp;

/// <summary>One answer of the model: a text, or a call of a tool, with the usage the provider reports for it.</summary>
public sealed record ScriptedAnswer(string? Text, FunctionCallContent? ToolCall, long InputTokens, long OutputTokens);

/// <summary>
/// The provider's side of a chat client, without a network: it answers each call with the next scripted answer,
/// as a service that keeps the conversation (the answer carries the caller's conversation id back), and notes
/// the trace each call ran in.
/// </summary>
public sealed class ScriptedChatClient(string provider, string responseModel, IEnumerable<ScriptedAnswer> answers) : IChatClient
{
    private readonly Queue<ScriptedAnswer> _answers = new(answers);
    private readonly ChatClientMetadata _metadata = new(provider, new Uri("https://api.example.invalid/v1"));

    /// <summary>The messages of each call, in call order.</summary>
    public List<IReadOnlyList<ChatMessage>> Calls { get; } = [];

    /// <summary>The OpenTelemetry trace id (hex) each call ran in, in call order.</summary>
    public List<string> TraceIds { get; } = [];

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Add([.. messages]);
        TraceIds.Add(Activity.Current?.TraceId.ToHexString() ?? "");
        var answer = _answers.Dequeue();
        // A provider takes time: it keeps the steps of a turn apart in the millisecond timestamps a replay orders by.
        await Task.Delay(15, cancellationToken);
        var message = answer.ToolCall is { } call
            ? new ChatMessage(ChatRole.Assistant, [call])
            : new ChatMessage(ChatRole.Assistant, answer.Text);
        return new ChatResponse(message)
        {
            ConversationId = options?.ConversationId,
            ModelId = responseModel,
            ResponseId = $"resp-{Calls.Count}",
            FinishReason = answer.ToolCall is null ? ChatFinishReason.Stop : ChatFinishReason.ToolCalls,
            Usage = new UsageDetails { InputTokenCount = answer.InputTokens, OutputTokenCount = answer.OutputTokens, TotalTokenCount = answer.InputTokens + answer.OutputTokens },
        };
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The conversation is not streamed.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
