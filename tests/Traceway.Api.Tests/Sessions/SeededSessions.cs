using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Sessions;

/// <summary>One seeded session of the data set, with the values its summary must have (the test oracle).</summary>
public sealed record SeededSession(
    string SessionId, int Turns, string Model, double SpanCost, bool Failed, string[] Tags, string UserId, long InputTokens,
    DateTimeOffset StartedAt, DateTimeOffset LastActivityAt)
{
    public double TotalCost => Math.Round(Enumerable.Repeat(SpanCost, Turns).Order().Sum(), 9);

    public long TotalTokens => Turns * (InputTokens + 10);

    public long DurationMs => (long)(LastActivityAt - StartedAt).TotalMilliseconds;

    /// <summary>The value a sort name of the API sorts by.</summary>
    public IComparable SortValue(string orderBy) => orderBy switch
    {
        "lastActivity" => LastActivityAt,
        "startedAt" => StartedAt,
        "cost" => TotalCost,
        "tokens" => TotalTokens,
        "duration" => DurationMs,
        "traceCount" => Turns,
        _ => throw new ArgumentOutOfRangeException(nameof(orderBy)),
    };
}

/// <summary>The query tests share one seeding of the data set.</summary>
[CollectionDefinition(Name)]
public sealed class SeededData : ICollectionFixture<SeededSessions>
{
    public const string Name = "seeded sessions";
}

/// <summary>300 sessions with known values, ingested over HTTP and rolled up, shared by the query tests.</summary>
public sealed class SeededSessions : TracewayApp
{
    public static readonly DateTimeOffset Base = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] ModelNames = ["gpt-4o", "claude-3-5-sonnet", "gemini-2.0-flash"];

    public IReadOnlyList<SeededSession> Sessions { get; } = [.. Enumerable.Range(0, 300).Select(Seed)];

    public TestProject Project { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Project = await CreateProjectAsync("seeded");
        using var ingest = CreateClient(Project.IngestKey);
        foreach (var chunk in Sessions.SelectMany(ToTraces).Chunk(400))
        {
            using var response = await ingest.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), new JsonObject { ["traces"] = new JsonArray([.. chunk]) });
            response.EnsureSuccessStatusCode();
        }

        using var admin = CreateClient(AdminKey);
        using var rebuilt = await admin.PostAsync(new Uri($"/api/projects/{Project.Id}/rebuild-summaries", UriKind.Relative), null);
        rebuilt.EnsureSuccessStatusCode();
    }

    /// <summary>Pages through a list endpoint with the given query, following nextCursor; returns the session ids in order.</summary>
    public async Task<List<string>> PageThroughAsync(string query, int pageSize = 7)
    {
        using var client = CreateClient(Project.ReadKey);
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var url = $"/api/sessions?{query}&limit={pageSize}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, $"{url}: {body}");
            var items = body.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("sessionId").GetString()!).ToList();
            Assert.True(items.Count <= pageSize);
            ids.AddRange(items);
            cursor = body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return ids;
    }

    private static SeededSession Seed(int i)
    {
        var turns = 1 + (i % 4);
        var started = Base.AddHours(i);
        return new SeededSession(
            $"sess-{i:D3}", turns, ModelNames[i % 3], ((i * 37) % 101) * 0.01, i % 7 == 0,
            i % 5 == 0 ? [i % 2 == 0 ? "prod" : "dev", "vip"] : [i % 2 == 0 ? "prod" : "dev"],
            $"user-{i % 10}", 100 + i, started, started.AddMinutes(turns - 1).AddSeconds(30));
    }

    private static IEnumerable<JsonNode> ToTraces(SeededSession s) => Enumerable.Range(0, s.Turns).Select(turn =>
    {
        var start = s.StartedAt.AddMinutes(turn);
        var trace = new JsonObject
        {
            ["id"] = $"{s.SessionId}-t{turn}", ["sessionId"] = s.SessionId, ["userId"] = s.UserId, ["name"] = "turn",
            ["startedAt"] = start.ToString("O"), ["endedAt"] = start.AddSeconds(30).ToString("O"),
            ["spans"] = new JsonArray(new JsonObject
            {
                ["id"] = "llm", ["name"] = "chat", ["kind"] = "llm", ["model"] = s.Model, ["inputTokens"] = s.InputTokens, ["outputTokens"] = 10,
                ["cost"] = s.SpanCost, ["status"] = s.Failed && turn == 0 ? "error" : "ok", ["startedAt"] = start.AddSeconds(1).ToString("O"),
            }),
        };
        if (turn == 0)
        {
            trace["tags"] = new JsonArray([.. s.Tags.Select(t => (JsonNode)t)]);
        }

        return (JsonNode)trace;
    });
}
