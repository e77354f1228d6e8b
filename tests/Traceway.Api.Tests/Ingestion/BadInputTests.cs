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
    };

    /// <summary>A bad top-level span of the valid trace (so a stored bad span would show up in it): a required field, a range, a number, a contradiction, a repeat.</summary>
    public static TheoryData<string, string, string> BadSpans => new()
    {
        { "missing traceId", $$"""{"id":"bad-span","name":"x","startedAt":{{T}}}""", "traceId" },
        { "negative tokens", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":-1,"startedAt":{{T}}}""", "inputTokens" },
        { "cost beyond double", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":1e400,"startedAt":{{T}}}""", "cost" },
        { "sessionId contradicting its trace's", $$"""{"id":"bad-span","traceId":"valid","sessionId":"other","name":"x","startedAt":{{T}}}""", "sessionId" },
        { "duplicate span id in one request", $$"""{"id":"v-span","traceId":"valid","name":"evil","startedAt":{{T}}}""", "id" },
    };

    /// <summary>Bodies that are not an ingest request at all: the whole request is refused and nothing is stored.</summary>
    public static TheoryData<string, string, string, int> BadBodies => new()
    {
        { "malformed JSON", "{\"traces\":[" + ValidTrace, "application/json", 400 },
        { "NaN literal", "{\"traces\":[" + ValidTrace + "],\"x\":NaN}", "application/json", 400 },
        { "trailing garbage", "{\"traces\":[" + ValidTrace + "]} trailing", "application/json", 400 },
        { "a JSON array", "[" + ValidTrace + "]", "application/json", 400 },
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
