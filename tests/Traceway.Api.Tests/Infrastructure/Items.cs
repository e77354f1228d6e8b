namespace Traceway.Tests.Infrastructure;

/// <summary>Builders of ingest items, shaped as in API.md, with only what a test cares about varying.</summary>
public static class Items
{
    public static object Turn(string id, string? sessionId, object[]? spans = null, string startedAt = "2026-11-20T10:00:00Z") =>
        new { id, sessionId, name = "chat-turn", startedAt, endedAt = "2026-11-20T10:00:03Z", spans = spans ?? [] };

    public static object Llm(string id, string? traceId = null, string? sessionId = null, long inputTokens = 12) =>
        new { id, traceId, sessionId, name = "gpt-4o", kind = "llm", model = "gpt-4o", inputTokens, outputTokens = 30, startedAt = "2026-11-20T10:00:00.1Z", endedAt = "2026-11-20T10:00:01Z" };

    public static object Tool(string id, string? traceId = null, string? sessionId = null) =>
        new { id, traceId, sessionId, name = "search", kind = "tool", startedAt = "2026-11-20T10:00:01.5Z", endedAt = "2026-11-20T10:00:02Z" };
}
