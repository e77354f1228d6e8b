using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Ingestion;

public sealed class IngestTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    [Fact]
    public async Task Every_item_stored_answers_200_with_the_count()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, body) = await api.IngestAsync(new
        {
            traces = new[] { Items.Turn("t-1", "s-1", spans: [Items.Llm("s-1a"), Items.Tool("s-1b")]) },
            spans = new[] { Items.Tool("s-2", traceId: "t-1", sessionId: "s-1") },
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("rejected").GetInt32());
        var trace = await api.GetTraceAsync("t-1");
        Assert.Equal(["s-1a", "s-1b", "s-2"], trace!["spans"]!.AsArray().Select(s => (string?)s!["id"]));
    }

    [Fact]
    public async Task Invalid_items_are_listed_by_position_in_a_207_and_the_valid_ones_are_stored()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, body) = await api.IngestAsync(new
        {
            traces = new object[]
            {
                Items.Turn("good-1", "s", spans: [Items.Llm("ok-span"), Items.Llm("bad-span", inputTokens: -5)]),
                new { id = "bad-trace", startedAt = "yesterday" },
            },
            spans = new object[] { Items.Tool("good-2", traceId: "good-1", sessionId: "s"), new { id = "no-trace", name = "x", startedAt = "2026-11-20T10:00:00Z" } },
        });

        Assert.Equal(HttpStatusCode.MultiStatus, status);
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(3, body.GetProperty("rejected").GetInt32());
        var errors = body.GetProperty("errors").EnumerateArray().Select(e => (
            Kind: e.GetProperty("kind").GetString(),
            Index: e.GetProperty("index").GetInt32(),
            SpanIndex: e.TryGetProperty("spanIndex", out var si) ? si.GetInt32() : (int?)null,
            Id: e.GetProperty("id").GetString(),
            Status: e.GetProperty("status").GetInt32(),
            Field: e.GetProperty("field").GetString())).ToList();
        Assert.Equal(
            [("span", 0, 1, "bad-span", 400, "inputTokens"), ("trace", 1, null, "bad-trace", 400, "startedAt"), ("span", 1, null, "no-trace", 400, "traceId")],
            errors);
        Assert.All(body.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("detail").GetString())));
        Assert.Equal(["ok-span", "good-2"], (await api.GetTraceAsync("good-1"))!["spans"]!.AsArray().Select(s => (string?)s!["id"]));
        Assert.Null(await api.GetTraceAsync("bad-trace"));
    }

    [Fact]
    public async Task A_request_whose_items_are_all_invalid_is_a_400_naming_each_field()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, body) = await api.IngestAsync(new { traces = new object[] { new { id = "", startedAt = "2026-11-20T10:00:00Z" }, new { id = "t", startedAt = "2026-11-20T10:00:00Z", endedAt = "2026-11-20T09:00:00Z" } } });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(0, body.GetProperty("accepted").GetInt32());
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("traces[0].id", out _));
        Assert.True(errors.TryGetProperty("traces[1].endedAt", out _));
        Assert.Equal(2, body.GetProperty("items").GetArrayLength());
    }

    /// <summary>A valid trace with a span, as it would be sent inside an envelope.</summary>
    private const string ValidTrace = """{"id":"t","sessionId":"s","startedAt":"2026-11-20T10:00:00Z","spans":[{"id":"a","name":"x","startedAt":"2026-11-20T10:00:00Z"}]}""";

    [Theory]
    [InlineData("{\"traces\": [" + ValidTrace, "not valid JSON")]
    [InlineData("[" + ValidTrace + "]", "not an ingest request")]
    [InlineData("{\"traces\": " + ValidTrace + "}", "not an ingest request")]
    [InlineData("{\"items\": [" + ValidTrace + "]}", "not an ingest request")]
    [InlineData("{\"traces\": [" + ValidTrace + "]} {\"traces\": []}", "not valid JSON")]
    [InlineData("", "Empty body")]
    public async Task A_body_that_is_not_an_ingest_envelope_is_a_400_and_stores_nothing(string json, string title)
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, body) = await api.IngestRawAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(title, body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        Assert.Null(await api.GetTraceAsync("t"));
        Assert.Equal((0, 0), (await CountDocumentsAsync(app.Services.GetRequiredService<TracewayStores>().Traces, api.Project.Id), await CountDocumentsAsync(app.Services.GetRequiredService<TracewayStores>().TraceIndex, api.Project.Id)));
    }

    /// <summary>Sanity check of the check above: the same valid trace in a proper envelope is stored, as two documents and one index entry.</summary>
    [Fact]
    public async Task The_valid_trace_of_the_envelope_cases_is_stored_when_sent_properly()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, _) = await api.IngestRawAsync("{\"traces\": [" + ValidTrace + "]}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(await api.GetTraceAsync("t"));
        Assert.Equal((2, 1), (await CountDocumentsAsync(app.Services.GetRequiredService<TracewayStores>().Traces, api.Project.Id), await CountDocumentsAsync(app.Services.GetRequiredService<TracewayStores>().TraceIndex, api.Project.Id)));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_JSON_is_a_415(string contentType)
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, body) = await api.IngestRawAsync("{\"traces\": []}", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("application/json", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_after_decompression_is_a_413()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var huge = JsonSerializer.Serialize(new { traces = new[] { new { id = "big", startedAt = "2026-11-20T10:00:00Z", input = new string('x', 6 * 1024 * 1024) } } });

        var (plainStatus, plainBody) = await api.IngestRawAsync(huge);
        var (gzipStatus, _) = await api.SendAsync(Gzip(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, plainStatus);
        Assert.Contains("bytes", plainBody.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, gzipStatus);
        Assert.Null(await api.GetTraceAsync("big"));
    }

    [Fact]
    public async Task More_items_than_allowed_in_one_request_is_a_413()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var spans = Enumerable.Range(0, 1001).Select(i => Items.Tool($"s{i}", traceId: "t", sessionId: null)).ToArray();

        var (status, body) = await api.IngestAsync(new { spans });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("1000", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await api.GetTraceAsync("t"));
    }

    [Fact]
    public async Task A_gzip_body_is_accepted()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, _) = await api.SendAsync(Gzip(JsonSerializer.Serialize(new { traces = new[] { Items.Turn("gz", "s") } })));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(await api.GetTraceAsync("gz"));
    }

    [Fact]
    public async Task Changing_the_session_of_a_stored_trace_is_a_409_for_that_item()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        await api.IngestAsync(new { traces = new[] { Items.Turn("t-1", "session-a") } });

        var (status, body) = await api.IngestAsync(new { traces = new[] { Items.Turn("t-1", "session-b") }, spans = new[] { Items.Tool("x", traceId: "t-1", sessionId: "session-b") } });

        Assert.True(HttpStatusCode.Conflict == status, body.ToString());
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.All(items, i => Assert.Equal(409, i.GetProperty("status").GetInt32()));
        Assert.Contains("session-a", items[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("session-a", (string?)(await api.GetTraceAsync("t-1"))!["sessionId"]);
    }

    [Fact]
    public async Task A_span_sent_alone_before_its_trace_lands_in_the_session_and_the_trace_joins_it()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (first, _) = await api.IngestAsync(new { spans = new[] { Items.Llm("early", traceId: "t-9", sessionId: "s-9") } });
        var (second, _) = await api.IngestAsync(new { traces = new[] { Items.Turn("t-9", "s-9") } });

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(HttpStatusCode.OK, second);
        var trace = await api.GetTraceAsync("t-9");
        Assert.Equal("s-9", (string?)trace!["sessionId"]);
        Assert.Equal(["early"], trace["spans"]!.AsArray().Select(s => (string?)s!["id"]));
    }

    [Fact]
    public async Task Cost_is_estimated_from_the_price_table_when_absent_and_kept_when_provided()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        await api.IngestAsync(new
        {
            traces = new[]
            {
                Items.Turn("t", "s", spans:
                [
                    new { id = "estimated", name = "call", kind = "llm", model = "gpt-4o-2024-08-06", inputTokens = 1000, outputTokens = 500, startedAt = "2026-11-20T10:00:00Z" },
                    new { id = "provided", name = "call", kind = "llm", model = "gpt-4o", inputTokens = 1000, outputTokens = 500, cost = 0.5, startedAt = "2026-11-20T10:00:01Z" },
                    new { id = "unknown", name = "call", kind = "llm", model = "in-house-7b", inputTokens = 1000, outputTokens = 500, startedAt = "2026-11-20T10:00:02Z" },
                ]),
            },
        });
        var spans = (await api.GetTraceAsync("t"))!["spans"]!.AsArray().ToDictionary(s => (string)s!["id"]!);

        Assert.Equal(0.0075, (double)spans["estimated"]!["cost"]!, 10);
        Assert.Equal("estimated", (string?)spans["estimated"]!["costSource"]);
        Assert.Equal(0.5, (double)spans["provided"]!["cost"]!);
        Assert.Equal("provided", (string?)spans["provided"]!["costSource"]);
        Assert.Null(spans["unknown"]!["cost"]);
        Assert.Null(spans["unknown"]!["costSource"]);
    }

    [Fact]
    public async Task What_was_ingested_reads_back_equal_including_a_large_payload_and_unusual_ids()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var sessionId = "user/42?tab=#3\\back 🚀 ü~%2F";
        var traceId = "turn/1?#\\~:%";
        var large = new JsonArray(Enumerable.Range(0, 3000).Select(i => (JsonNode)new JsonObject
        {
            ["role"] = i % 2 == 0 ? "user" : "assistant",
            ["content"] = $"message {i} " + new string('é', 240) + " 🚀",
            ["n"] = JsonValue.Create(1.5e-7 * i),
        }).ToArray());
        var input = JsonNode.Parse("""{"prompt": "Hi \"there\"", "nested": {"a": [1, 2.50, -0.0, 1e21, true, null]}}""")!;
        var trace = new JsonObject
        {
            ["id"] = traceId, ["sessionId"] = sessionId, ["name"] = "chat-turn", ["userId"] = "u-42",
            ["startedAt"] = "2026-11-20T10:00:00Z", ["endedAt"] = "2026-11-20T10:00:03.25Z",
            ["input"] = input.DeepClone(), ["output"] = "plain text answer", ["status"] = "ok",
            ["tags"] = new JsonArray("prod", "checkout"), ["metadata"] = new JsonObject { ["k"] = "v" },
            ["spans"] = new JsonArray(new JsonObject
            {
                ["id"] = "span/1#", ["name"] = "gpt-4o", ["kind"] = "llm", ["model"] = "gpt-4o", ["provider"] = "openai",
                ["input"] = large.DeepClone(), ["output"] = new JsonObject { ["role"] = "assistant", ["content"] = "…" },
                ["inputTokens"] = 12, ["outputTokens"] = 230, ["cost"] = 0.0024, ["status"] = "ok",
                ["startedAt"] = "2026-11-20T10:00:00.1Z", ["endedAt"] = "2026-11-20T10:00:03.1Z", ["attributes"] = new JsonObject { ["temperature"] = 0.2 },
            }),
        };
        Assert.True(Encoding.UTF8.GetByteCount(large.ToJsonString()) > 1_500_000);

        var (status, ingestBody) = await api.IngestAsync(new JsonObject { ["traces"] = new JsonArray(trace) });
        Assert.True(status == HttpStatusCode.OK, ingestBody.ToString());
        var read = await api.GetTraceAsync(traceId);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(traceId, (string?)read!["id"]);
        Assert.Equal(sessionId, (string?)read["sessionId"]);
        Assert.True(JsonNode.DeepEquals(input, read["input"]), read["input"]?.ToJsonString());
        Assert.Equal(input.ToJsonString(), read["input"]!.ToJsonString());
        var span = read["spans"]![0]!;
        Assert.Equal("span/1#", (string?)span["id"]);
        Assert.True(JsonNode.DeepEquals(large, span["input"]));
        Assert.Equal(large.ToJsonString(), span["input"]!.ToJsonString());
        Assert.Equal(0.0024, (double)span["cost"]!);
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T10:00:03.25Z", System.Globalization.CultureInfo.InvariantCulture), (DateTimeOffset)read["endedAt"]!);
    }

    [Fact]
    public async Task A_key_of_one_project_neither_writes_into_nor_reads_another_project()
    {
        using var a = await IngestApi.ForNewProjectAsync(app);
        using var b = await IngestApi.ForNewProjectAsync(app);
        await b.IngestAsync(new { traces = new[] { Items.Turn("shared-id", "b-session", spans: [Items.Llm("b-span")]), Items.Turn("only-in-b", "b-session") } });

        var (status, _) = await a.IngestAsync(new { traces = new[] { Items.Turn("shared-id", "a-session", spans: [Items.Llm("a-span")]) }, projectId = b.Project.Id });

        Assert.Equal(HttpStatusCode.OK, status);
        var seenByA = await a.GetTraceAsync("shared-id");
        var seenByB = await b.GetTraceAsync("shared-id");
        Assert.Equal("a-session", (string?)seenByA!["sessionId"]);
        Assert.Equal(["a-span"], seenByA["spans"]!.AsArray().Select(s => (string?)s!["id"]));
        Assert.Equal("b-session", (string?)seenByB!["sessionId"]);
        Assert.Equal(["b-span"], seenByB["spans"]!.AsArray().Select(s => (string?)s!["id"]));
        Assert.NotNull(await b.GetTraceAsync("only-in-b"));
        Assert.Null(await a.GetTraceAsync("only-in-b"));
    }

    /// <summary>How many documents of the project a container holds, read from the store itself.</summary>
    private static async Task<int> CountDocumentsAsync(Container container, string projectId)
    {
        var query = new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @p").WithParameter("@p", projectId);
        using var iterator = container.GetItemQueryIterator<int>(query);
        var count = 0;
        while (iterator.HasMoreResults)
        {
            count += (await iterator.ReadNextAsync()).Sum();
        }

        return count;
    }

    private static ByteArrayContent Gzip(string json)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }
}
