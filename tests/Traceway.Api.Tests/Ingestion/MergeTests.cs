using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;
using Traceway.Documents;

namespace Traceway.Tests.Ingestion;

/// <summary>Items are upserts keyed by id: resending is harmless, later fields merge in, nothing set earlier is erased.</summary>
public sealed class MergeTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    private static readonly object SpanStart = new { id = "span", traceId = "t", sessionId = "s", name = "gpt-4o", kind = "llm", model = "gpt-4o", input = "question", inputTokens = 100, startedAt = "2026-11-20T10:00:00Z" };
    private static readonly object SpanEnd = new { id = "span", traceId = "t", sessionId = "s", name = "gpt-4o", output = "answer", outputTokens = 20, status = "error", error = "timeout", startedAt = "2026-11-20T10:00:00Z", endedAt = "2026-11-20T10:00:05Z" };

    [Fact]
    public async Task Resending_identical_items_changes_nothing_stored()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var request = new { traces = new[] { Items.Turn("t", "s", [Items.Llm("a"), Items.Tool("b")]) } };
        await api.IngestAsync(request);
        var before = await ETagsAsync(api, "t", "a", "b");

        var (status, body) = await api.IngestAsync(request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(before, await ETagsAsync(api, "t", "a", "b"));
    }

    [Fact]
    public async Task A_span_sent_first_unfinished_then_finished_ends_complete_and_the_reverse_order_ends_the_same()
    {
        using var forward = await IngestApi.ForNewProjectAsync(app);
        using var reverse = await IngestApi.ForNewProjectAsync(app);

        await forward.IngestAsync(new { spans = new[] { SpanStart } });
        await forward.IngestAsync(new { spans = new[] { SpanEnd } });
        await reverse.IngestAsync(new { spans = new[] { SpanEnd } });
        await reverse.IngestAsync(new { spans = new[] { SpanStart } });
        var a = (await forward.GetTraceAsync("t"))!["spans"]![0]!;
        var b = (await reverse.GetTraceAsync("t"))!["spans"]![0]!;

        Assert.True(JsonNode.DeepEquals(a, b), $"{a.ToJsonString()} != {b.ToJsonString()}");
        Assert.Equal("question", (string?)a["input"]);
        Assert.Equal("answer", (string?)a["output"]);
        Assert.Equal((100L, 20L), ((long)a["inputTokens"]!, (long)a["outputTokens"]!));
        Assert.Equal(("error", "timeout", "llm"), ((string?)a["status"], (string?)a["error"], (string?)a["kind"]));
        Assert.NotNull(a["endedAt"]);
        Assert.Equal("estimated", (string?)a["costSource"]);
        Assert.Equal(0.00045, (double)a["cost"]!, 10);
    }

    [Fact]
    public async Task A_later_update_wins_per_field_but_never_erases_or_clears_an_error()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        await api.IngestAsync(new { traces = new[] { new { id = "t", sessionId = "s", name = "first", userId = "u1", status = "error", tags = new[] { "a" }, metadata = new { k1 = "v1", shared = "old" }, startedAt = "2026-11-20T10:00:00Z" } } });

        await api.IngestAsync(new { traces = new[] { new { id = "t", sessionId = "s", name = "second", status = "ok", tags = new[] { "b" }, metadata = new { k2 = "v2", shared = "new" }, startedAt = "2026-11-20T10:00:00Z" } } });
        var trace = (await api.GetTraceAsync("t"))!;

        Assert.Equal(("second", "u1", "error"), ((string?)trace["name"], (string?)trace["userId"], (string?)trace["status"]));
        Assert.Equal(["a", "b"], trace["tags"]!.AsArray().Select(t => (string?)t));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"k1":"v1","shared":"new","k2":"v2"}"""), trace["metadata"]), trace["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task A_trace_resent_without_its_session_keeps_it_and_identical_metadata_writes_nothing()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var first = new { id = "t", sessionId = "s", startedAt = "2026-11-20T10:00:00Z", metadata = JsonNode.Parse("""{ "b": 1.50, "a": "\u00e9" }""") };
        await api.IngestAsync(new { traces = new[] { first } });
        var before = await ETagsAsync(api, "t");

        var (status, _) = await api.IngestAsync(new { traces = new[] { new { id = "t", startedAt = "2026-11-20T10:00:00Z", endedAt = "2026-11-20T10:00:09Z" } } });
        var afterUpdate = await ETagsAsync(api, "t");
        await api.IngestAsync(new { traces = new[] { first } });

        Assert.Equal(HttpStatusCode.OK, status);
        var trace = (await api.GetTraceAsync("t"))!;
        Assert.Equal("s", (string?)trace["sessionId"]);
        Assert.NotNull(trace["endedAt"]);
        Assert.NotEqual(before, afterUpdate);
        Assert.Equal(afterUpdate, await ETagsAsync(api, "t"));
    }

    [Fact]
    public async Task Concurrent_updates_to_one_span_lose_no_field()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        await api.IngestAsync(new { spans = new[] { SpanStart } });

        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => api.IngestAsync(new
        {
            spans = new[] { new Dictionary<string, object> { ["id"] = "span", ["traceId"] = "t", ["name"] = "gpt-4o", ["startedAt"] = "2026-11-20T10:00:00Z", ["attributes"] = new Dictionary<string, int> { [$"k{i}"] = i } } },
        })));
        var span = (await api.GetTraceAsync("t"))!["spans"]![0]!;

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"k{i}").Order(StringComparer.Ordinal), span["attributes"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("question", (string?)span["input"]);
    }

    [Fact]
    public async Task Each_later_value_of_a_span_field_replaces_the_earlier_one()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        JsonObject Version(int v) => new()
        {
            ["id"] = "span", ["traceId"] = "t", ["sessionId"] = "s", ["parentId"] = $"parent-{v}", ["name"] = $"name-{v}", ["kind"] = v == 2 ? "tool" : "llm",
            ["model"] = v == 2 ? "claude-3-5-sonnet-20241022" : "gpt-4o", ["provider"] = $"provider-{v}", ["input"] = $"input {v}", ["output"] = new JsonObject { ["v"] = v },
            ["inputTokens"] = 100 * v, ["outputTokens"] = 10 * v, ["error"] = $"error {v}", ["attributes"] = new JsonObject { ["shared"] = v, [$"only-{v}"] = true },
            ["startedAt"] = $"2026-11-20T10:00:0{v}Z", ["endedAt"] = $"2026-11-20T10:00:1{v}Z",
        };

        foreach (var v in new[] { 0, 1, 2 })
        {
            var (status, body) = await api.IngestAsync(new JsonObject { ["spans"] = new JsonArray(Version(v)) });
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            var span = (await api.GetTraceAsync("t"))!["spans"]![0]!;

            Assert.Equal(($"parent-{v}", $"name-{v}", v == 2 ? "tool" : "llm", v == 2 ? "claude-3-5-sonnet-20241022" : "gpt-4o", $"provider-{v}"),
                ((string?)span["parentId"], (string?)span["name"], (string?)span["kind"], (string?)span["model"], (string?)span["provider"]));
            Assert.Equal(($"input {v}", v, 100L * v, 10L * v, $"error {v}"),
                ((string?)span["input"], (int)span["output"]!["v"]!, (long)span["inputTokens"]!, (long)span["outputTokens"]!, (string?)span["error"]));
            Assert.Equal(
                (DateTimeOffset.Parse($"2026-11-20T10:00:0{v}Z", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse($"2026-11-20T10:00:1{v}Z", System.Globalization.CultureInfo.InvariantCulture)),
                ((DateTimeOffset)span["startedAt"]!, (DateTimeOffset)span["endedAt"]!));
            Assert.Equal(v, (int)span["attributes"]!["shared"]!);
            Assert.Equal(Enumerable.Range(0, v + 1).Select(i => $"only-{i}").Prepend("shared").Order(StringComparer.Ordinal), span["attributes"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task A_cost_from_the_caller_is_kept_whether_it_arrives_before_or_after_the_tokens()
    {
        using var costLast = await IngestApi.ForNewProjectAsync(app);
        using var costFirst = await IngestApi.ForNewProjectAsync(app);
        using var estimateOnly = await IngestApi.ForNewProjectAsync(app);
        var tokens = new { id = "span", traceId = "t", sessionId = "s", name = "chat", kind = "llm", model = "gpt-4o", inputTokens = 1000, outputTokens = 500, startedAt = "2026-11-20T10:00:00Z" };
        var cost = new { id = "span", traceId = "t", sessionId = "s", name = "chat", cost = 0.5, startedAt = "2026-11-20T10:00:00Z" };
        var moreTokens = new { id = "span", traceId = "t", sessionId = "s", name = "chat", outputTokens = 1000, startedAt = "2026-11-20T10:00:00Z" };

        await costLast.IngestAsync(new { spans = new[] { tokens } });
        var estimated = (await costLast.GetTraceAsync("t"))!["spans"]![0]!;
        await costLast.IngestAsync(new { spans = new[] { cost } });
        await costFirst.IngestAsync(new { spans = new[] { cost } });
        await costFirst.IngestAsync(new { spans = new[] { tokens } });
        await estimateOnly.IngestAsync(new { spans = new[] { tokens } });
        await estimateOnly.IngestAsync(new { spans = new[] { moreTokens } });

        // gpt-4o lists at $2.50 per million input tokens and $10 per million output tokens.
        Assert.Equal(("estimated", Math.Round(1000 * 2.5e-6 + 500 * 10e-6, 10)), ((string?)estimated["costSource"], Math.Round((double)estimated["cost"]!, 10)));
        foreach (var api in new[] { costLast, costFirst })
        {
            var span = (await api.GetTraceAsync("t"))!["spans"]![0]!;
            Assert.Equal(("provided", 0.5, 1000L, 500L), ((string?)span["costSource"], (double)span["cost"]!, (long)span["inputTokens"]!, (long)span["outputTokens"]!));
        }

        // Without a cost from the caller, the estimate follows the merged tokens.
        var reestimated = (await estimateOnly.GetTraceAsync("t"))!["spans"]![0]!;
        Assert.Equal(("estimated", Math.Round(1000 * 2.5e-6 + 1000 * 10e-6, 10)), ((string?)reestimated["costSource"], Math.Round((double)reestimated["cost"]!, 10)));
    }

    private async Task<string[]> ETagsAsync(IngestApi api, string traceId, params string[] spanIds)
    {
        var traces = app.Services.GetRequiredService<TracewayStores>().Traces;
        var pk = new PartitionKey(DocumentKeys.SessionPartitionKey(api.Project.Id, "s"));
        var ids = spanIds.Select(s => DocumentKeys.SpanDocumentId(traceId, s)).Prepend(DocumentKeys.TraceDocumentId(traceId));
        var etags = new List<string>();
        foreach (var id in ids)
        {
            using var response = await traces.ReadItemStreamAsync(id, pk);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{id}: {response.StatusCode}");
            Assert.False(string.IsNullOrEmpty(response.Headers.ETag));
            etags.Add(response.Headers.ETag);
        }

        return [.. etags];
    }
}
