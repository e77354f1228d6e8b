using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Traceway.Tests.Dashboard;

/// <summary>The browser tests share one app, one browser and one seeding.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardTestGroup : ICollectionFixture<DashboardSessions>
{
    public const string Name = "dashboard";
}

/// <summary>
/// The app with the sessions the dashboard tests read, ingested over HTTP and rolled up, and a headless
/// Chromium (Debian's) driven by Playwright: a journey data set around "now" for the filters, a conversation
/// with tool steps and a context-window warning, a session whose output is HTML, and a session of 1,000 turns.
/// </summary>
public sealed class DashboardSessions : TracewayApp
{
    public const string Conversation = "conv-checkout";
    public const string Xss = "xss-session";
    public const string LongSession = "long-1000";
    public const int LongTurns = 1000;
    public const string XssPayload = "<img src=x onerror=alert(1)>";

    /// <summary>The turn (1-based) of <see cref="Conversation"/> whose LLM call passes 80% of gpt-4o's 128,000-token window.</summary>
    public const int WarningTurn = 4;

    /// <summary>Input tokens of each turn's LLM call: turn 5 sends 101,000, just under the 102,400 that would warn.</summary>
    public static readonly long[] ConversationInputTokens = [1_200, 9_800, 42_000, 110_000, 101_000];

    private static readonly string[] Models = ["gpt-4o", "claude-3-5-sonnet", "gpt-4o-mini"];

    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    public TestProject Project { get; private set; } = null!;

    public DashboardBrowser Browser { get; } = new();

    /// <summary>The journey sessions: (id, model, failed, cost, days ago). Days ago 1–5 fall in the last week, 10–20 do not.</summary>
    public IReadOnlyList<(string Id, string Model, bool Failed, double Cost, int DaysAgo)> Journeys { get; } =
        [.. Enumerable.Range(0, 48).Select(i => ($"journey-{i:D2}", Models[i % 3], i % 4 < 2, (i % 5) * 0.6, i % 6 < 4 ? 1 + (i % 5) : 10 + i % 11))];

    /// <summary>The app's loopback address (Kestrel on a free port).</summary>
    public Uri BaseAddress
    {
        get
        {
            using var client = CreateClient();
            return client.BaseAddress!;
        }
    }

    public override async Task InitializeAsync()
    {
        var browser = Browser.InitializeAsync();
        await base.InitializeAsync();
        Project = await CreateProjectAsync("dashboard");
        using var ingest = CreateClient(Project.IngestKey);
        var traces = Journeys.Select(JourneyTrace).Concat(ConversationTraces()).Append(XssTrace()).Concat(LongTraces());
        foreach (var chunk in traces.Chunk(200))
        {
            using var response = await ingest.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), new JsonObject { ["traces"] = new JsonArray([.. chunk]) });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        using var admin = CreateClient(AdminKey);
        using var rebuilt = await admin.PostAsync(new Uri($"/api/projects/{Project.Id}/rebuild-summaries", UriKind.Relative), null);
        rebuilt.EnsureSuccessStatusCode();
        await browser;
    }

    public override async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private JsonObject JourneyTrace((string Id, string Model, bool Failed, double Cost, int DaysAgo) s)
    {
        var start = Now.AddDays(-s.DaysAgo).AddMinutes(-30);
        return Trace(s.Id, $"{s.Id}-t0", start, "journey", "hello", "hi", [Llm("llm", s.Model, start.AddSeconds(1), 500, 50, s.Cost, s.Failed ? "the provider timed out" : null)]);
    }

    /// <summary>Five turns in order: an agent span with an LLM call, a tool call and (turn 3) a failed retrieval.</summary>
    private IEnumerable<JsonObject> ConversationTraces() => ConversationInputTokens.Select((tokens, i) =>
    {
        var start = Now.AddHours(-2).AddMinutes(i);
        var turn = i + 1;
        var spans = new List<JsonNode>
        {
            new JsonObject { ["id"] = "agent", ["name"] = "checkout-agent", ["kind"] = "agent", ["startedAt"] = start.AddMilliseconds(10).ToString("O"), ["endedAt"] = start.AddSeconds(5).ToString("O") },
            Llm("llm", "gpt-4o", start.AddMilliseconds(100), tokens, 120, 0.01 * turn, null, parent: "agent", input: $"question {turn}", output: $"answer {turn}"),
            new JsonObject
            {
                ["id"] = "tool", ["parentId"] = "agent", ["name"] = "lookup_order", ["kind"] = "tool", ["startedAt"] = start.AddSeconds(2).ToString("O"),
                ["endedAt"] = start.AddSeconds(2.4).ToString("O"), ["input"] = new JsonObject { ["orderId"] = $"order-{turn}" }, ["output"] = $"order-{turn} shipped",
            },
        };
        if (turn == 3)
        {
            spans.Add(new JsonObject
            {
                ["id"] = "search", ["parentId"] = "agent", ["name"] = "search_docs", ["kind"] = "retrieval", ["status"] = "error", ["error"] = "index unavailable",
                ["startedAt"] = start.AddSeconds(3).ToString("O"), ["endedAt"] = start.AddSeconds(3.1).ToString("O"),
            });
        }

        return Trace(Conversation, $"conv-t{turn}", start, "chat-turn", $"question {turn}", $"answer {turn}", spans, tags: ["checkout"]);
    });

    private JsonObject XssTrace()
    {
        var start = Now.AddHours(-1);
        return Trace(Xss, "xss-t1", start, XssPayload, XssPayload, XssPayload,
            [Llm("llm", "gpt-4o", start.AddSeconds(1), 100, 10, 0.001, null, input: XssPayload, output: XssPayload, name: XssPayload)], tags: [XssPayload]);
    }

    private IEnumerable<JsonObject> LongTraces() => Enumerable.Range(1, LongTurns).Select(turn =>
    {
        var start = Now.AddDays(-2).AddSeconds(turn * 10);
        return Trace(LongSession, $"long-t{turn:D4}", start, $"turn {turn}", $"message {turn}", $"reply {turn}", [Llm("llm", "gpt-4o-mini", start.AddSeconds(1), 100 + turn, 20, 0.0001, null)]);
    });

    private static JsonObject Trace(string sessionId, string id, DateTimeOffset start, string name, string input, string output, IEnumerable<JsonNode> spans, string[]? tags = null)
    {
        var trace = new JsonObject
        {
            ["id"] = id, ["sessionId"] = sessionId, ["userId"] = "user-1", ["name"] = name, ["input"] = input, ["output"] = output,
            ["startedAt"] = start.ToString("O"), ["endedAt"] = start.AddSeconds(6).ToString("O"), ["spans"] = new JsonArray([.. spans]),
        };
        if (tags is not null)
        {
            trace["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]);
        }

        return trace;
    }

    private static JsonObject Llm(string id, string model, DateTimeOffset start, long inputTokens, long outputTokens, double cost, string? error,
        string? parent = null, string? input = null, string? output = null, string name = "chat")
    {
        var span = new JsonObject
        {
            ["id"] = id, ["name"] = name, ["kind"] = "llm", ["model"] = model, ["inputTokens"] = inputTokens, ["outputTokens"] = outputTokens, ["cost"] = cost,
            ["status"] = error is null ? "ok" : "error", ["error"] = error, ["startedAt"] = start.ToString("O"), ["endedAt"] = start.AddSeconds(1).ToString("O"),
        };
        if (parent is not null)
        {
            span["parentId"] = parent;
        }

        if (input is not null)
        {
            span["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = input });
            span["output"] = new JsonObject { ["role"] = "assistant", ["content"] = output };
        }

        return span;
    }
}
