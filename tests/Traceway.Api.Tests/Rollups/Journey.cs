using System.Text.Json.Nodes;

namespace Traceway.Tests.Rollups;

/// <summary>A 5-turn session with LLM, tool and retrieval spans, one failed span, tags, two models and two users, and its known metrics.</summary>
public static class Journey
{
    public const string SessionId = "journey/1 🚀";

    public static JsonObject Trace(int turn)
    {
        var start = new DateTimeOffset(2026, 11, 20, 10, turn - 1, 0, TimeSpan.Zero);
        var spans = new JsonArray(Span($"llm-{turn}", "llm", start.AddMilliseconds(100), turn <= 3 ? "gpt-4o" : "claude-3-5-sonnet-20241022", 100 * turn, 10 * turn, 0.01 * turn));
        if (turn == 2)
        {
            spans.Add(Span("tool-2", "tool", start.AddSeconds(1), status: "error", error: "rate limited"));
        }

        if (turn == 3)
        {
            spans.Add(Span("retrieval-3", "retrieval", start.AddSeconds(1)));
        }

        if (turn == 4)
        {
            spans.Add(Span("tool-4", "tool", start.AddSeconds(1)));
        }

        var trace = new JsonObject
        {
            ["id"] = $"turn-{turn}",
            ["sessionId"] = SessionId,
            ["name"] = "chat-turn",
            ["userId"] = turn == 3 ? "u-2" : "u-1",
            ["startedAt"] = Time(start),
            ["endedAt"] = Time(start.AddSeconds(3)),
            ["input"] = $"question {turn}",
            ["output"] = $"answer {turn}",
            ["spans"] = spans,
        };
        if (turn <= 2)
        {
            trace["tags"] = turn == 1 ? new JsonArray("prod") : new JsonArray("prod", "checkout");
        }

        return trace;
    }

    public static JsonObject Request(params int[] turns) => new() { ["traces"] = new JsonArray([.. turns.Select(t => (JsonNode)Trace(t))]) };

    /// <summary>Every field of the expected session summary.</summary>
    public static void AssertSummary(JsonNode? summary)
    {
        Assert.NotNull(summary);
        Assert.Equal(SessionId, (string?)summary["sessionId"]);
        Assert.Equal(5, (int)summary["traceCount"]!);
        Assert.Equal(8, (int)summary["spanCount"]!);
        Assert.Equal(1500, (long)summary["inputTokens"]!);
        Assert.Equal(150, (long)summary["outputTokens"]!);
        Assert.Equal(1650, (long)summary["totalTokens"]!);
        Assert.Equal(0.15, (double)summary["totalCost"]!, 9);
        Assert.Equal(At(0, 0), (DateTimeOffset)summary["startedAt"]!);
        Assert.Equal(At(4, 3), (DateTimeOffset)summary["endedAt"]!);
        Assert.Equal(At(4, 3), (DateTimeOffset)summary["lastActivityAt"]!);
        Assert.Equal(243_000, (long)summary["durationMs"]!);
        Assert.Equal("error", (string?)summary["status"]);
        Assert.Equal(1, (int)summary["errorCount"]!);
        Assert.Equal(["checkout", "prod"], summary["tags"]!.AsArray().Select(t => (string?)t));
        Assert.Equal(["claude-3-5-sonnet-20241022", "gpt-4o"], summary["models"]!.AsArray().Select(t => (string?)t));
        Assert.Equal(["u-1", "u-2"], summary["userIds"]!.AsArray().Select(t => (string?)t));
        Assert.Equal(500, (long)summary["maxInputTokens"]!);
    }

    private static DateTimeOffset At(int minute, int second) => new(2026, 11, 20, 10, minute, second, TimeSpan.Zero);

    private static JsonObject Span(string id, string kind, DateTimeOffset start, string? model = null, long? inputTokens = null, long? outputTokens = null, double? cost = null, string status = "ok", string? error = null)
    {
        var span = new JsonObject { ["id"] = id, ["name"] = kind == "llm" ? "chat" : kind, ["kind"] = kind, ["status"] = status, ["startedAt"] = Time(start), ["endedAt"] = Time(start.AddMilliseconds(500)) };
        if (model is not null)
        {
            span["model"] = model;
            span["inputTokens"] = inputTokens;
            span["outputTokens"] = outputTokens;
            span["cost"] = cost;
        }

        if (error is not null)
        {
            span["error"] = error;
        }

        return span;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
