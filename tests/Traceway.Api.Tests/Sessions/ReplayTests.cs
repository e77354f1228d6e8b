using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Sessions;

/// <summary>A seeded 12-turn agent session read back turn by turn: order, span trees, inputs and responses, context warnings.</summary>
public sealed class ReplayTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    private const string SessionId = "agent/1 ✓";

    [Fact]
    public async Task The_session_detail_lists_traces_in_start_order_with_their_spans_in_start_order_page_by_page()
    {
        using var api = await SeedAsync();
        using var client = app.CreateClient(api.Project.ReadKey);

        var pages = await PagesAsync(client, $"/api/sessions/{Uri.EscapeDataString(SessionId)}", "traces", limit: 5);
        var traces = pages.SelectMany(p => p["traces"]!.AsArray()).ToList();

        Assert.Equal([5, 5, 2], pages.Select(p => p["traces"]!.AsArray().Count));
        Assert.Equal(Enumerable.Range(1, 12).Select(Id), traces.Select(t => (string?)t!["id"]));
        Assert.All(traces, t => Assert.Equal(["plan", "think", "search", "lookup", "answer"], t!["spans"]!.AsArray().Select(s => (string?)s!["id"])));
        Assert.Equal(12, (int)pages[0]["session"]!["traceCount"]!);
        Assert.Equal(60, (int)pages[0]["session"]!["spanCount"]!);
        Assert.Equal("question 2", (string?)traces[1]!["input"]!["question"]);
    }

    [Fact]
    public async Task The_replay_shapes_each_turn_with_its_user_input_response_flattened_steps_and_context_warnings()
    {
        using var api = await SeedAsync();
        using var client = app.CreateClient(api.Project.ReadKey);

        var pages = await PagesAsync(client, $"/api/sessions/{Uri.EscapeDataString(SessionId)}/replay", "turns", limit: 7);
        var turns = pages.SelectMany(p => p["turns"]!.AsArray()).Select(t => t!).ToList();

        Assert.Equal(Enumerable.Range(1, 12).Select(Id), turns.Select(t => (string?)t["traceId"]));
        foreach (var (turn, n) in turns.Select((t, i) => (t, i + 1)))
        {
            var steps = turn["steps"]!.AsArray();
            Assert.Equal([("plan", 0, "agent"), ("think", 1, "llm"), ("search", 1, "tool"), ("lookup", 2, "retrieval"), ("answer", 1, "llm")],
                steps.Select(s => ((string)s!["spanId"]!, (int)s["depth"]!, (string)s["kind"]!)));
            Assert.Equal(n % 2 == 0 ? $"question {n}" : $"prompt {n}", n % 2 == 0 ? (string?)turn["userInput"]!["question"] : (string?)turn["userInput"]![0]!["content"]);
            Assert.Equal(n <= 6 ? $"final {n}" : $"answer {n}", (string?)turn["response"]!["content"]);
            Assert.Equal(ThinkTokens(n) + 500, (long)turn["inputTokens"]!);
            Assert.Equal(1500, (long)turn["durationMs"]!);
            Assert.Equal(n == 5 ? "error" : "ok", (string?)turn["status"]);
            Assert.Equal(n >= 11 ? 1 : 0, turn["warnings"]!.AsArray().Count);
        }

        Assert.Contains("think", (string?)turns[10]["warnings"]![0], StringComparison.Ordinal);
        Assert.Equal("error", (string?)pages[0]["session"]!["status"]);
    }

    [Fact]
    public async Task An_unknown_session_is_a_404()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        using var client = app.CreateClient(api.Project.ReadKey);

        using var detail = await client.GetAsync(new Uri("/api/sessions/nope", UriKind.Relative));
        using var replay = await client.GetAsync(new Uri("/api/sessions/nope/replay", UriKind.Relative));

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (detail.StatusCode, replay.StatusCode));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/replay")]
    public async Task A_cursor_of_one_session_used_on_another_session_is_a_400_naming_cursor(string view)
    {
        using var api = await SeedAsync();
        var other = Enumerable.Range(0, 6).Select(i => new { id = $"other-{i}", sessionId = "other", startedAt = SeededSessions.Base.AddSeconds(i).ToString("O") }).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await api.IngestAsync(new { traces = other })).Status);
        using var client = app.CreateClient(api.Project.ReadKey);
        var first = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/sessions/{Uri.EscapeDataString(SessionId)}{view}?limit=5", UriKind.Relative));
        var cursor = Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!);

        using var sameSession = await client.GetAsync(new Uri($"/api/sessions/{Uri.EscapeDataString(SessionId)}{view}?limit=5&cursor={cursor}", UriKind.Relative));
        using var otherSession = await client.GetAsync(new Uri($"/api/sessions/other{view}?limit=5&cursor={cursor}", UriKind.Relative));
        var problem = await otherSession.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, sameSession.StatusCode);
        Assert.True(otherSession.StatusCode == HttpStatusCode.BadRequest, $"{otherSession.StatusCode}: {problem}");
        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out _), problem.ToString());
    }

    [Fact]
    public async Task A_thousand_turn_session_reads_page_by_page()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var traces = Enumerable.Range(0, 1000).Select(i => new { id = $"turn-{i:D4}", sessionId = "long", startedAt = SeededSessions.Base.AddSeconds(i).ToString("O") }).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await api.IngestAsync(new { traces })).Status);
        using var client = app.CreateClient(api.Project.ReadKey);

        var pages = await PagesAsync(client, "/api/sessions/long", "traces", limit: 200);

        Assert.Equal(5, pages.Count);
        Assert.Equal(traces.Select(t => t.id), pages.SelectMany(p => p["traces"]!.AsArray()).Select(t => (string?)t!["id"]));
        Assert.Equal(1000, (int)pages[0]["session"]!["traceCount"]!);
    }

    private static string Id(int turn) => $"turn-{turn:D2}";

    private static long ThinkTokens(int turn) => turn == 9 ? 102_400 : 10_000L * turn;

    private static async Task<List<JsonNode>> PagesAsync(HttpClient client, string path, string itemsName, int limit)
    {
        var pages = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var response = await client.GetAsync(new Uri($"{path}?limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), UriKind.Relative));
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(response.IsSuccessStatusCode, page.ToJsonString());
            Assert.NotNull(page[itemsName]);
            pages.Add(page);
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);

        return pages;
    }

    /// <summary>12 turns, each an agent span over two LLM calls and a tool with a nested retrieval, sent in shuffled order.</summary>
    private async Task<IngestApi> SeedAsync()
    {
        var api = await IngestApi.ForNewProjectAsync(app);
        var traces = new JsonArray();
        foreach (var n in Enumerable.Range(1, 12).Reverse())
        {
            var start = new DateTimeOffset(2026, 11, 20, 9, n, 0, TimeSpan.Zero);
            JsonObject Span(string id, string? parent, string kind, int offsetMs, JsonObject? extra = null)
            {
                var span = new JsonObject { ["id"] = id, ["parentId"] = parent, ["name"] = id, ["kind"] = kind, ["startedAt"] = start.AddMilliseconds(offsetMs).ToString("O"), ["endedAt"] = start.AddMilliseconds(offsetMs + 50).ToString("O") };
                foreach (var (key, value) in extra ?? [])
                {
                    span[key] = value?.DeepClone();
                }

                return span;
            }

            var spans = new JsonArray(
                Span("answer", "plan", "llm", 300, new JsonObject { ["model"] = "gpt-4o", ["inputTokens"] = 500, ["outputTokens"] = 50, ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "summarize" }), ["output"] = new JsonObject { ["role"] = "assistant", ["content"] = $"answer {n}" } }),
                Span("lookup", "search", "retrieval", 250, new JsonObject { ["status"] = n == 5 ? "error" : "ok" }),
                Span("plan", null, "agent", 0),
                Span("search", "plan", "tool", 200),
                Span("think", "plan", "llm", 100, new JsonObject { ["model"] = "gpt-4o-2024-08-06", ["inputTokens"] = ThinkTokens(n), ["outputTokens"] = 20, ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"prompt {n}" }), ["output"] = new JsonObject { ["role"] = "assistant", ["content"] = "thinking" } }));
            var trace = new JsonObject { ["id"] = Id(n), ["sessionId"] = SessionId, ["name"] = "agent-turn", ["startedAt"] = start.ToString("O"), ["endedAt"] = start.AddMilliseconds(1500).ToString("O"), ["spans"] = spans };
            if (n % 2 == 0)
            {
                trace["input"] = new JsonObject { ["question"] = $"question {n}" };
            }

            if (n <= 6)
            {
                trace["output"] = new JsonObject { ["role"] = "assistant", ["content"] = $"final {n}" };
            }

            traces.Add(trace);
        }

        var (status, body) = await api.IngestAsync(new JsonObject { ["traces"] = traces });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return api;
    }
}
