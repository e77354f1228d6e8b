using System.Net;
using System.Text;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Ingestion;

/// <summary>
/// The bad-input corpus: every case gets a clear 4xx naming the problem, nothing bad is stored, and the
/// valid items sent beside a bad one are stored all the same.
/// </summary>
public sealed class BadInputTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    private const string T = "\"2026-11-20T10:00:00Z\"";
    private const string ValidTrace = $$"""{"id":"valid","sessionId":"s","name":"chat-turn","startedAt":{{T}},"spans":[{"id":"v-span","name":"step","startedAt":{{T}}}]}""";

    private static readonly string Deep200 = new string('[', 200) + new string(']', 200);
    private static readonly string Deep300 = new string('[', 300) + new string(']', 300);
    private static readonly string TenThousandTags = "[" + string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"\"t{i}\"")) + "]";

    /// <summary>A bad trace (id "bad" where it has one) sent beside a valid trace.</summary>
    public static TheoryData<string, string, string> BadTraces => new()
    {
        { "missing id", $$"""{"startedAt":{{T}}}""", "id" },
        { "empty id", $$"""{"id":"","startedAt":{{T}}}""", "id" },
        { "numeric id", $$"""{"id":42,"startedAt":{{T}}}""", "id" },
        { "id over 128 characters", $$"""{"id":"{{new string('x', 129)}}","startedAt":{{T}}}""", "id" },
        { "id with a control character", $$"""{"id":"ba\u0001d","startedAt":{{T}}}""", "id" },
        { "missing startedAt", """{"id":"bad"}""", "startedAt" },
        { "startedAt not a time", """{"id":"bad","startedAt":"yesterday"}""", "startedAt" },
        { "startedAt without a time zone", """{"id":"bad","startedAt":"2026-11-20T10:00:00"}""", "startedAt" },
        { "startedAt as epoch number", """{"id":"bad","startedAt":1763632800}""", "startedAt" },
        { "impossible date", """{"id":"bad","startedAt":"2026-02-30T10:00:00Z"}""", "startedAt" },
        { "endedAt before startedAt", $$"""{"id":"bad","startedAt":{{T}},"endedAt":"2026-11-20T09:59:59Z"}""", "endedAt" },
        { "empty sessionId", $$"""{"id":"bad","sessionId":"","startedAt":{{T}}}""", "sessionId" },
        { "sessionId over 200 characters", $$"""{"id":"bad","sessionId":"{{new string('s', 201)}}","startedAt":{{T}}}""", "sessionId" },
        { "sessionId with a newline", $$"""{"id":"bad","sessionId":"a\nb","startedAt":{{T}}}""", "sessionId" },
        { "numeric sessionId", $$"""{"id":"bad","sessionId":7,"startedAt":{{T}}}""", "sessionId" },
        { "unknown status", $$"""{"id":"bad","status":"failed","startedAt":{{T}}}""", "status" },
        { "tags not an array", $$"""{"id":"bad","tags":"prod","startedAt":{{T}}}""", "tags" },
        { "51 tags", $$"""{"id":"bad","tags":[{{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"t{i}\""))}}],"startedAt":{{T}}}""", "tags" },
        { "10,000 tags", $$"""{"id":"bad","tags":{{TenThousandTags}},"startedAt":{{T}}}""", "tags" },
        { "tag over 200 characters", $$"""{"id":"bad","tags":["{{new string('t', 201)}}"],"startedAt":{{T}}}""", "tags" },
        { "numeric tag", $$"""{"id":"bad","tags":[1],"startedAt":{{T}}}""", "tags" },
        { "metadata not an object", $$"""{"id":"bad","metadata":"k=v","startedAt":{{T}}}""", "metadata" },
        { "input nested 200 deep", $$"""{"id":"bad","input":{{Deep200}},"startedAt":{{T}}}""", "input" },
        { "name over 512 characters", $$"""{"id":"bad","name":"{{new string('n', 513)}}","startedAt":{{T}}}""", "name" },
        { "spans not an array", $$"""{"id":"bad","spans":{"id":"x"},"startedAt":{{T}}}""", "spans" },
        { "trace not an object", "\"just text\"", "" },
        { "trace null", "null", "" },
        { "duplicate trace id in one request", $$"""{"id":"valid","sessionId":"s","name":"evil","startedAt":{{T}}}""", "id" },
    };

    /// <summary>A bad top-level span of the valid trace (so a stored bad span would show up in it).</summary>
    public static TheoryData<string, string, string> BadSpans => new()
    {
        { "missing name", $$"""{"id":"bad-span","traceId":"valid","startedAt":{{T}}}""", "name" },
        { "numeric name", $$"""{"id":"bad-span","traceId":"valid","name":5,"startedAt":{{T}}}""", "name" },
        { "missing traceId", $$"""{"id":"bad-span","name":"x","startedAt":{{T}}}""", "traceId" },
        { "negative tokens", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":-1,"startedAt":{{T}}}""", "inputTokens" },
        { "fractional tokens", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":1.5,"startedAt":{{T}}}""", "inputTokens" },
        { "tokens over 10^9", $$"""{"id":"bad-span","traceId":"valid","name":"x","outputTokens":1000000001,"startedAt":{{T}}}""", "outputTokens" },
        { "tokens as a string", $$"""{"id":"bad-span","traceId":"valid","name":"x","inputTokens":"12","startedAt":{{T}}}""", "inputTokens" },
        { "negative cost", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":-0.01,"startedAt":{{T}}}""", "cost" },
        { "huge cost", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":1e308,"startedAt":{{T}}}""", "cost" },
        { "cost beyond double", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":1e400,"startedAt":{{T}}}""", "cost" },
        { "NaN cost as a string", $$"""{"id":"bad-span","traceId":"valid","name":"x","cost":"NaN","startedAt":{{T}}}""", "cost" },
        { "unknown kind", $$"""{"id":"bad-span","traceId":"valid","name":"x","kind":"robot","startedAt":{{T}}}""", "kind" },
        { "span endedAt before startedAt", $$"""{"id":"bad-span","traceId":"valid","name":"x","startedAt":{{T}},"endedAt":"2026-11-19T10:00:00Z"}""", "endedAt" },
        { "empty parentId", $$"""{"id":"bad-span","traceId":"valid","name":"x","parentId":"","startedAt":{{T}}}""", "parentId" },
        { "error as an object", $$"""{"id":"bad-span","traceId":"valid","name":"x","error":{"code":1},"startedAt":{{T}}}""", "error" },
        { "attributes as an array", $$"""{"id":"bad-span","traceId":"valid","name":"x","attributes":[1],"startedAt":{{T}}}""", "attributes" },
        { "output nested 200 deep", $$"""{"id":"bad-span","traceId":"valid","name":"x","output":{{Deep200}},"startedAt":{{T}}}""", "output" },
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
        { "traces not an array", "{\"traces\":" + ValidTrace + "}", "application/json", 400 },
        { "no traces or spans", "{\"trace\":[" + ValidTrace + "]}", "application/json", 400 },
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
    public async Task The_whole_bad_trace_corpus_in_one_request_gets_one_error_per_bad_trace_at_its_own_position()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var cases = BadTraces.Select(c => (Because: (string)c[0], Trace: (string)c[1], Field: (string)c[2])).ToList();
        // Each bad trace gets its own id, so that one can only be refused for its own problem.
        var traces = cases.Select((c, i) => c.Trace.Replace("\"id\":\"bad\"", $"\"id\":\"bad-{i}\"", StringComparison.Ordinal));

        var (status, body) = await api.IngestRawAsync($"{{\"traces\":[{ValidTrace},{string.Join(",", traces)}]}}");

        Assert.True(status == HttpStatusCode.MultiStatus, $"{status} {body}");
        Assert.Equal((2, cases.Count), (body.GetProperty("accepted").GetInt32(), body.GetProperty("rejected").GetInt32()));
        Assert.Equal(
            cases.Select((c, i) => (c.Because, "trace", i + 1, 400, c.Field)),
            body.GetProperty("errors").EnumerateArray().Select(e => (
                cases[e.GetProperty("index").GetInt32() - 1].Because, e.GetProperty("kind").GetString()!, e.GetProperty("index").GetInt32(), e.GetProperty("status").GetInt32(),
                e.TryGetProperty("field", out var f) ? f.GetString()! : "")));
        await AssertOnlyTheValidTraceIsStoredAsync(api);
        foreach (var i in Enumerable.Range(0, cases.Count))
        {
            Assert.Null(await api.GetTraceAsync($"bad-{i}"));
        }
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
