using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Documents;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Rollups;

/// <summary>
/// Rollups from what changed (the ledgers): a trace large enough to be split into ledger chunks, delivered in random
/// orders, batches, duplicates and with older versions after newer ones, ends with exactly the summaries a full
/// recomputation from the stored documents gives (the rebuild then writes nothing).
/// </summary>
public sealed class IncrementalRollupTests : RollupHandlerTests
{
    private const string SessionId = "long-run";

    [Fact]
    public async Task A_split_ledger_fed_in_random_orders_with_stale_versions_equals_the_full_recomputation()
    {
        // 300 spans (a ledger of several chunks), a small turn, then 100 spans updated: two versions of those.
        Assert.Equal(HttpStatusCode.OK, (await Api.IngestAsync(BigTrace(300, tokens: 10))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.IngestAsync(new { traces = new[] { Items.Turn("small", SessionId, [Items.Llm("a", inputTokens: 5)]) } })).Status);
        var first = await StoredDocumentsAsync(SessionId);
        Assert.Equal(HttpStatusCode.OK, (await Api.IngestAsync(UpdatedSpans(100, tokens: 1000))).Status);
        var latest = await StoredDocumentsAsync(SessionId);
        var deliveries = first.Concat(latest).ToList();
        var random = new Random(2026);

        string? converged = null;
        for (var round = 0; round < 3; round++)
        {
            await Summaries.DeleteAllAsync(SessionId);
            var shuffled = deliveries.Concat(deliveries.Take(random.Next(50))).OrderBy(_ => random.Next()).ToList();
            for (var i = 0; i < shuffled.Count;)
            {
                var size = random.Next(1, 150);
                await Handler.HandleAsync(shuffled.Skip(i).Take(size), default);
                i += size;
            }

            // Older versions delivered last must not win: the latest versions count.
            var last = latest.Where(d => d.GetProperty("type").GetString() == "span").OrderBy(_ => random.Next()).Take(40);
            await Handler.HandleAsync(first.Where(d => last.Any(l => l.GetProperty("id").GetString() == d.GetProperty("id").GetString())), default);

            var trace = await Summaries.TraceAsync(SessionId, "big");
            Assert.Equal((300, (100 * 1000L) + (200 * 10L)), ((int)trace!["spanCount"]!, (long)trace["inputTokens"]!));
            var session = await Summaries.SessionAsync(SessionId);
            Assert.Equal((2, 301, (100 * 1000L) + (200 * 10L) + 5), ((int)session!["traceCount"]!, (int)session["spanCount"]!, (long)session["inputTokens"]!));
            var all = await Summaries.AllAsync(SessionId);
            Assert.True(converged is null || converged == all, $"round {round} differs");
            converged = all;

            using var admin = App.CreateClient(App.AdminKey);
            using var rebuild = await admin.PostAsync(new Uri($"/api/projects/{Api.Project.Id}/rebuild-summaries", UriKind.Relative), null);
            var report = JsonNode.Parse(await rebuild.Content.ReadAsStringAsync())!;
            Assert.Equal((0, 0), ((int)report["traceSummariesWritten"]!, (int)report["sessionSummariesWritten"]!));
        }
    }

    private static JsonObject BigTrace(int spans, long tokens) => new()
    {
        ["traces"] = new JsonArray(new JsonObject
        {
            ["id"] = "big", ["sessionId"] = SessionId, ["name"] = "agent-run", ["startedAt"] = "2026-11-20T10:00:00Z",
            ["spans"] = new JsonArray([.. Enumerable.Range(0, spans).Select(i => (JsonNode)Span(i, tokens))]),
        }),
    };

    private static JsonObject UpdatedSpans(int spans, long tokens) => new()
    {
        ["spans"] = new JsonArray([.. Enumerable.Range(0, spans).Select(i =>
        {
            var span = Span(i, tokens);
            span["traceId"] = "big";
            span["sessionId"] = SessionId;
            span["endedAt"] = "2026-11-20T10:30:00Z";
            return (JsonNode)span;
        })]),
    };

    private static JsonObject Span(int i, long tokens) => new()
    {
        ["id"] = $"step-{i}", ["name"] = "chat", ["kind"] = "llm", ["model"] = i % 3 == 0 ? "gpt-4o" : "claude-3-5-sonnet-20241022",
        ["inputTokens"] = tokens, ["outputTokens"] = 1, ["cost"] = 0.0001 * (i % 7), ["startedAt"] = $"2026-11-20T10:{i / 60 % 60:00}:{i % 60:00}Z",
        ["status"] = i % 50 == 0 ? "error" : "ok",
    };
}
