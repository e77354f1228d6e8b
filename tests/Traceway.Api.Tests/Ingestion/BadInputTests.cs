using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Ingestion;

/// <summary>
/// Bad input over HTTP: every kind of case gets a clear 4xx naming the problem, nothing bad is stored, and the
/// valid items sent beside a bad one are stored all the same. The whole corpus runs against the parser in
/// tests/Traceway.UnitTests/Ingestion; here each kind of case is sent once end to end.
/// </summary>
public sealed class BadInputTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    private const string T = "\"2026-11-20T10:00:00Z\"";
    private const string ValidTrace = $$"""{"id":"valid","sessionId":"s","name":"chat-turn","startedAt":{{T}},"spans":[{"id":"v-span","name":"step","startedAt":{{T}}}]}""";

    private static readonly string Deep200 = new string('[', 200) + new string(']', 200);
    private static readonly string Deep300 = new string('[', 300) + new string(']', 300);
    private static readonly string TenThousandTags = "[" + string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"\"t{i}\"")) + "]";

    /// <summary>A bad trace (id "bad" where it has one) sent beside a valid trace: a required field, a time, a limit, depth, shape, a repeat.</summary>
    public static TheoryData<string, string, string> BadTraces => new()
    {
        { "missing id", $$"""{"startedAt":{{T}}}""", "id" },
        { "startedAt without a time zone", """{"id":"bad","startedAt":"2026-11-20T10:00:00"}""", "startedAt" },
        { "10,000 tags", $$"""{"id":"bad","tags":{{TenThousandTags}},"startedAt":{{T}}}""", "tags" },
        { "input nested 200 deep", $$"""{"id":"bad","input":{{Deep200}},"startedAt":{{T}}}""", "input" },
        { "trace not an object", "\"just text\"", "" },
        { "duplicate trace id in one request", $$"""{"id":"valid","sessionId":"s","name":"evil","startedAt":{{T}}}""", "id" },
        { "lone surrogate in name", $$"""{"id":"bad","name":"\ud800","startedAt":{{T}}}""", "name" },
        { "lone surrogate in a metadata key", $$"""{"id":"bad","metadata":{"\udc00":1},"startedAt":{{T}}}""", "metadata" },
        { "lone surrogate deep in input", $$"""{"id":"bad","input":[{"content":"\ud800"}],"startedAt":{{T}}}""", "input" },
        { "duplicate key in metadata", $$"""{"id":"bad","metadata":{"k":1,"k":2},"startedAt":{{T}}}""", "metadata" },
        { "duplicate key in the trace", $$"""{"id":"bad","name":"a","name":"b","startedAt":{{T}}}""", "name" },
        { "id '..'", $$"""{"id":"..","startedAt":{{T}}}""", "id" },
        { "sessionId '.'", $$"""{"id":"bad","sessionId":".","startedAt":{{T}}}""", "sessionId" },
    };

    /// <summary>A bad top-level span of the valid trace (so a stored bad span would show up in it): a required field, a range, a number, a contradiction, a repeat.</summary>
    public static TheoryData<string, string, string> BadSpans => new()
    {
        { "missing traceId", $$"""{"id":"bad-span","name":"x","startedAt":{{T}}}""", "traceId" },
        { "negative tokens", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":-1,"startedAt":{{T}}}""", "inputTokens" },
        { "cost beyond double", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":1e400,"startedAt":{{T}}}""", "cost" },
        { "sessionId contradicting its trace's", $$"""{"id":"bad-span","traceId":"valid","sessionId":"other","name":"x","startedAt":{{T}}}""", "sessionId" },
        { "duplicate span id in one request", $$"""{"id":"v-span","traceId":"valid","name":"evil","startedAt":{{T}}}""", "id" },
        { "lone surrogate in error", $$"""{"id":"bad-span","traceId":"valid","name":"x","error":"\ud800","startedAt":{{T}}}""", "error" },
        { "lone surrogate in an attributes key", $$"""{"id":"bad-span","traceId":"valid","name":"x","attributes":{"\ud800":1},"startedAt":{{T}}}""", "attributes" },
        { "duplicate key deep in attributes", $$"""{"id":"bad-span","traceId":"valid","name":"x","attributes":{"a":[{"k":1,"k":2}]},"startedAt":{{T}}}""", "attributes" },
        { "traceId '.'", $$"""{"id":"bad-span","traceId":".","name":"x","startedAt":{{T}}}""", "traceId" },
    };

    /// <summary>Bodies that are not an ingest request at all: the whole request is refused and nothing is stored.</summary>
    public static TheoryData<string, string, string, int> BadBodies => new()
    {
        { "malformed JSON", "{\"traces\":[" + ValidTrace, "application/json", 400 },
        { "NaN literal", "{\"traces\":[" + ValidTrace + "],\"x\":NaN}", "application/json", 400 },
        { "trailing garbage", "{\"traces\":[" + ValidTrace + "]} trailing", "application/json", 400 },
        { "a JSON array", "[" + ValidTrace + "]", "application/json", 400 },
        { "traces twice", "{\"traces\":[" + ValidTrace + "],\"traces\":[]}", "application/json", 400 },
        { "nested beyond 256", "{\"traces\":[" + ValidTrace + "],\"x\":" + Deep300 + "}", "application/json", 400 },
        { "wrong content type", "{\"traces\":[" + ValidTrace + "]}", "text/plain", 415 },
        { "form content type", "{\"traces\":[" + ValidTrace + "]}", "application/x-www-form-urlencoded", 415 },
    };

    [Theory]
    [MemberData(nameof(BadTraces))]
    public async Task A_bad_trace_is_refused_by_name_and_the_valid_trace_beside_it_is_stored(string because, string badTrace, string field)
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, body) = await api.IngestRawAsync($"{{\"traces\":[{ValidTrace},{badTrace}]}}");

        Assert.True(status == HttpStatusCode.MultiStatus, $"{because}: {status} {body}");
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal(("trace", 1, 400), (error.GetProperty("kind").GetString(), error.GetProperty("index").GetInt32(), error.GetProperty("status").GetInt32()));
        Assert.Equal(field, error.TryGetProperty("field", out var f) ? f.GetString() : "");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("detail").GetString()));
        await AssertOnlyTheValidTraceIsStoredAsync(api);
    }

    [Theory]
    [MemberData(nameof(BadSpans))]
    public async Task A_bad_span_is_refused_by_name_and_the_valid_items_beside_it_are_stored(string because, string badSpan, string field)
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, body) = await api.IngestRawAsync($"{{\"traces\":[{ValidTrace}],\"spans\":[{badSpan}]}}");

        Assert.True(status == HttpStatusCode.MultiStatus, $"{because}: {status} {body}");
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal(("span", 0, 400, field), (error.GetProperty("kind").GetString(), error.GetProperty("index").GetInt32(), error.GetProperty("status").GetInt32(), error.GetProperty("field").GetString()));
        await AssertOnlyTheValidTraceIsStoredAsync(api);
    }

    [Fact]
    public async Task A_nested_span_contradicting_its_trace_is_refused_by_position()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var host = $$"""{"id":"host","sessionId":"s2","startedAt":{{T}},"spans":[{"id":"fine","name":"x","startedAt":{{T}}},{"id":"bad","traceId":"elsewhere","name":"x","startedAt":{{T}}},{"id":"bad2","sessionId":"other","name":"x","startedAt":{{T}}}]}""";

        var (status, body) = await api.IngestRawAsync($"{{\"traces\":[{ValidTrace},{host}]}}");

        Assert.Equal(HttpStatusCode.MultiStatus, status);
        Assert.Equal(4, body.GetProperty("accepted").GetInt32());
        Assert.Equal(
            [(1, 1, "traceId"), (1, 2, "sessionId")],
            body.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("spanIndex").GetInt32(), e.GetProperty("field").GetString())));
        Assert.Equal(["fine"], (await api.GetTraceAsync("host"))!["spans"]!.AsArray().Select(s => (string?)s!["id"]));
        await AssertOnlyTheValidTraceIsStoredAsync(api);
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_body_that_is_not_an_ingest_request_is_refused_whole(string because, string json, string contentType, int expected)
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var (status, body) = await api.IngestRawAsync(json, contentType);

        Assert.True((int)status == expected, $"{because}: {status} {body}");
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        Assert.Null(await api.GetTraceAsync("valid"));
    }

    [Fact]
    public async Task Invalid_UTF8_is_a_400_and_stores_nothing()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var bytes = Encoding.UTF8.GetBytes($"{{\"traces\":[{ValidTrace}],\"x\":\"abc\"}}");
        bytes[^3] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var (status, body) = await api.SendAsync(content);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("UTF-8", body.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Null(await api.GetTraceAsync("valid"));
    }

    [Fact]
    public async Task A_gzip_header_on_a_plain_body_is_a_400()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        using var content = new StringContent($"{{\"traces\":[{ValidTrace}]}}", Encoding.UTF8, "application/json");
        content.Headers.ContentEncoding.Add("gzip");

        var (status, body) = await api.SendAsync(content);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("gzip", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await api.GetTraceAsync("valid"));
    }

    [Fact]
    public async Task Bad_text_in_an_update_changes_nothing_stored_before()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        await api.IngestRawAsync($"{{\"traces\":[{ValidTrace}]}}");
        var before = (await api.GetTraceAsync("valid"))!.ToJsonString();

        var updates = new[]
        {
            $$"""{"traces":[{"id":"valid","sessionId":"s","name":"\ud800","startedAt":{{T}}}]}""",
            $$"""{"traces":[{"id":"valid","metadata":{"k":1,"k":2},"startedAt":{{T}}}]}""",
            $$"""{"spans":[{"id":"v-span","traceId":"valid","name":"step","attributes":{"a":"\udfff"},"startedAt":{{T}}}]}""",
            $$"""{"spans":[{"id":"v-span","traceId":"valid","name":"x","name":"y","startedAt":{{T}}}]}""",
        };
        foreach (var update in updates)
        {
            var (status, body) = await api.IngestRawAsync(update);
            Assert.True(status == HttpStatusCode.BadRequest, $"{update}: {status} {body}");
        }

        Assert.Equal(before, (await api.GetTraceAsync("valid"))!.ToJsonString());
    }

    [Fact]
    public async Task A_trace_stored_with_repeated_metadata_keys_before_they_were_refused_still_merges()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        await api.IngestRawAsync($"{{\"traces\":[{ValidTrace}]}}");
        var stores = app.Services.GetRequiredService<Traceway.Storage.TracewayStores>();
        var pk = new Microsoft.Azure.Cosmos.PartitionKey(Traceway.Documents.DocumentKeys.SessionPartitionKey(api.Project.Id, "s"));
        var (trace, _) = await Traceway.Storage.ContainerExtensions.ReadItemOrDefaultAsync<Traceway.Documents.TraceDocument>(stores.Traces, "t:valid", pk, default);
        await stores.Traces.ReplaceItemAsync(trace! with { Metadata = """{"k":1,"k":2}""" }, trace.Id, pk);

        var (status, body) = await api.IngestRawAsync($$"""{"traces":[{"id":"valid","metadata":{"other":3},"startedAt":{{T}}}]}""");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var metadata = (await api.GetTraceAsync("valid"))!["metadata"]!;
        Assert.Equal(("2", "3"), (metadata["k"]!.ToJsonString(), metadata["other"]!.ToJsonString()));
    }

    [Fact]
    public async Task A_resend_that_moves_the_start_past_the_stored_end_keeps_the_stored_interval()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        await api.IngestRawAsync("""{"traces":[{"id":"timed","startedAt":"2026-11-20T10:00:00Z","endedAt":"2026-11-20T10:00:05Z"}]}""");

        var (status, _) = await api.IngestRawAsync("""{"traces":[{"id":"timed","startedAt":"2026-11-20T10:00:10Z"}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var trace = (await api.GetTraceAsync("timed"))!;
        Assert.Equal(("2026-11-20T10:00:00.0000000Z", "2026-11-20T10:00:05.0000000Z"), ((string?)trace["startedAt"], (string?)trace["endedAt"]));
    }

    [Theory]
    [InlineData("%2E")]
    [InlineData("%2E%2E")]
    [InlineData(".a")]
    [InlineData("a..")]
    [InlineData("...")]
    public async Task Ids_that_look_like_dot_segments_round_trip_on_every_read_path(string id)
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var (status, body) = await api.IngestAsync(new { traces = new[] { new { id, sessionId = id, name = "dots", startedAt = "2026-11-20T10:00:00Z", spans = new[] { new { id, name = "x", startedAt = "2026-11-20T10:00:00Z" } } } } });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        using var read = app.CreateClient(api.Project.ReadKey);
        var encoded = Uri.EscapeDataString(id);

        Assert.Equal(id, (string?)(await api.GetTraceAsync(id))!["id"]);
        var session = System.Text.Json.Nodes.JsonNode.Parse(await read.GetStringAsync(new Uri($"/api/sessions/{encoded}", UriKind.Relative)))!;
        Assert.Equal(id, (string?)session["session"]!["sessionId"] ?? (string?)session["traces"]![0]!["sessionId"]);
        var replay = System.Text.Json.Nodes.JsonNode.Parse(await read.GetStringAsync(new Uri($"/api/sessions/{encoded}/replay", UriKind.Relative)))!;
        Assert.Equal(id, (string?)replay["turns"]![0]!["traceId"]);
    }

    [Theory]
    [InlineData("/api/traces/.")]
    [InlineData("/api/traces/..")]
    [InlineData("/api/traces/%2E")]
    [InlineData("/api/traces/%2E%2E")]
    [InlineData("/api/traces/%2e%2E")]
    [InlineData("/api/sessions/%2E")]
    [InlineData("/api/sessions/%2E%2E")]
    [InlineData("/api/sessions/%2E/replay")]
    [InlineData("/api/sessions/%2E%2E/replay")]
    [InlineData("/api/sessions/%252E/replay")]
    [InlineData("/api/traces/%252E%252E")]
    public async Task Dot_segment_ids_on_a_read_path_are_never_a_5xx(string path)
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        using var read = app.CreateClient(api.Project.ReadKey);

        using var response = await read.GetAsync(new Uri(path, UriKind.Relative));

        Assert.True((int)response.StatusCode < 500, $"{path}: {response.StatusCode}");
    }

    private static async Task AssertOnlyTheValidTraceIsStoredAsync(IngestApi api)
    {
        var valid = await api.GetTraceAsync("valid");
        Assert.NotNull(valid);
        Assert.Equal("chat-turn", (string?)valid["name"]);
        Assert.Equal("s", (string?)valid["sessionId"]);
        var span = Assert.Single(valid["spans"]!.AsArray());
        Assert.Equal(("v-span", "step"), ((string?)span!["id"], (string?)span["name"]));
        Assert.Null(await api.GetTraceAsync("bad"));
    }
}
