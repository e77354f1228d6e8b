using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Traceway.Ingestion.Otlp.Proto;
using Traceway.Tests.Infrastructure;
using static Traceway.Testing.OtlpSpans;

namespace Traceway.Tests.Ingestion;

/// <summary>The app OTLP tests talk to: rollups on, since they assert session summaries.</summary>
public sealed class OtlpTestApp : TracewayApp
{
    public OtlpTestApp()
    {
        WithSetting("Traceway:ChangeFeed:Enabled", "true");
        WithSetting("Traceway:ChangeFeed:PollIntervalMs", "100");
    }
}

/// <summary><c>POST /api/otel/v1/traces</c> as OTLP/HTTP specifies it: both encodings, gzip, its answers and their encodings.</summary>
public sealed class OtlpIngestTests(OtlpTestApp app) : IClassFixture<OtlpTestApp>
{
    [Fact]
    public async Task A_protobuf_export_becomes_a_session_and_is_answered_in_protobuf()
    {
        var (api, otlp, summaries) = await ProjectAsync();
        var root = Span(1, 1, name: "invoke_agent weather", attributes: ("gen_ai.operation.name", "invoke_agent"));
        root.EndTimeUnixNano = Nanos(Start.AddSeconds(2));
        var chat = Span(1, 2, parent: 1, name: "chat gpt-4o-mini", startMs: 10, attributes:
            [("gen_ai.operation.name", "chat"), ("gen_ai.conversation.id", "conv-1"), ("gen_ai.request.model", "gpt-4o-mini"), ("gen_ai.usage.input_tokens", 1000L), ("gen_ai.usage.output_tokens", 500L)]);

        var reply = await otlp.ExportAsync(Export(root, chat));

        Assert.Equal((HttpStatusCode.OK, "application/x-protobuf"), (reply.Status, reply.ContentType));
        Assert.Null(reply.Response.PartialSuccess);
        var trace = (await api.GetTraceAsync(TraceHex(1)))!;
        Assert.Equal(("invoke_agent weather", "conv-1"), ((string?)trace["name"], (string?)trace["sessionId"]));
        var spans = trace["spans"]!.AsArray();
        Assert.Equal([("agent", (string?)null), ("llm", "gpt-4o-mini")], spans.Select(s => ((string)s!["kind"]!, (string?)s["model"])));
        var summary = await summaries.WaitForSessionAsync("conv-1", s => (int?)s["spanCount"] == 2, TimeSpan.FromSeconds(20));
        // Priced from the catalog: gpt-4o-mini costs 0.15 and 0.60 per million tokens.
        Assert.Equal((1, 1500L, (1000 * 0.15 + 500 * 0.60) / 1_000_000), ((int)summary!["traceCount"]!, (long)summary["totalTokens"]!, (double)summary["totalCost"]!), TolerantCost);
    }

    [Fact]
    public async Task An_otlp_json_export_with_upper_case_hex_ids_and_int64s_as_strings_and_numbers_is_stored()
    {
        var (api, otlp, _) = await ProjectAsync();
        var traceId = "A1B2C3D4E5F60718293A4B5C6D7E8F90";
        var startNanos = Nanos(Start);
        var json = $$$"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"chat-api"}}]},
              "scopeSpans":[{"scope":{"name":"ai"},"spans":[
                {"traceId":"{{{traceId}}}","spanId":"0A0B0C0D0E0F1011","name":"root","kind":2,
                 "startTimeUnixNano":"{{{startNanos}}}","endTimeUnixNano":{{{startNanos + 2_000_000_000}}},
                 "attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"7"}},{"key":"n","value":{"intValue":8}}],
                 "status":{"code":1}}]}]}]}
            """;

        var reply = await otlp.ExportJsonAsync(json);

        Assert.Equal((HttpStatusCode.OK, "application/json"), (reply.Status, reply.ContentType));
        Assert.Null(reply.Response.PartialSuccess);
        var trace = (await api.GetTraceAsync(traceId.ToLowerInvariant()))!;
        var span = trace["spans"]![0]!;
        Assert.Equal(("0a0b0c0d0e0f1011", Start, Start.AddSeconds(2)), ((string)span["id"]!, (DateTimeOffset)span["startedAt"]!, (DateTimeOffset)span["endedAt"]!));
        Assert.Equal(("chat-api", "7", 8, "server"), ((string)span["attributes"]!["service.name"]!, (string)span["attributes"]!["gen_ai.usage.input_tokens"]!.ToJsonString(), (int)span["attributes"]!["n"]!, (string)span["attributes"]!["otel.span_kind"]!));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_gzip_export_is_read_in_either_encoding(bool protobuf)
    {
        var (api, otlp, _) = await ProjectAsync();
        var request = Export(Span(3, 1, name: "zipped"));

        var reply = protobuf ? await otlp.ExportAsync(request, gzip: true) : await otlp.ExportJsonAsync(HexJson(request), gzip: true);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("zipped", (string?)(await api.GetTraceAsync(TraceHex(3)))!["spans"]![0]!["name"]);
    }

    [Fact]
    public async Task Rejected_spans_are_named_in_a_partial_success_and_the_others_are_stored()
    {
        var (api, otlp, _) = await ProjectAsync();
        var shortId = Span(4, 2, parent: 1);
        shortId.SpanId = ByteString.CopyFrom(1, 2, 3, 4);
        var backwards = Span(4, 3, parent: 1);
        backwards.EndTimeUnixNano = backwards.StartTimeUnixNano - 1;

        var reply = await otlp.ExportAsync(Export(Span(4, 1), shortId, backwards));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var partial = reply.Response.PartialSuccess;
        Assert.Equal(2, partial.RejectedSpans);
        Assert.Contains("spanId must be 8 bytes", partial.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains($"span '{SpanHex(3)}' of trace '{TraceHex(4)}': endTimeUnixNano must not be before startTimeUnixNano", partial.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal([SpanHex(1)], (await api.GetTraceAsync(TraceHex(4)))!["spans"]!.AsArray().Select(s => (string)s!["id"]!));
    }

    [Fact]
    public async Task An_undecodable_body_is_refused_whole_in_the_requests_encoding_and_nothing_is_stored()
    {
        var (api, otlp, _) = await ProjectAsync();
        var bytes = Export(Span(5, 1), Span(5, 2, parent: 1)).ToByteArray();

        var truncated = await otlp.SendAsync(bytes[..^3], "application/x-protobuf");
        var wrongType = await otlp.ExportJsonAsync(HexJson(Export(Span(5, 1))).Replace("\"name\":\"step\"", "\"name\":5", StringComparison.Ordinal));

        Assert.Equal((HttpStatusCode.BadRequest, "application/x-protobuf"), (truncated.Status, truncated.ContentType));
        Assert.Contains("protobuf", truncated.Error.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "application/json"), (wrongType.Status, wrongType.ContentType));
        Assert.Contains("spans[0].name must be a string", wrongType.Error.Message, StringComparison.Ordinal);
        Assert.Null(await api.GetTraceAsync(TraceHex(5)));
    }

    [Fact]
    public async Task Another_content_type_is_415_and_a_body_over_the_limit_is_413()
    {
        var (_, otlp, _) = await ProjectAsync();

        var text = await otlp.SendAsync("hello"u8.ToArray(), "text/plain");
        var big = Span(6, 1, attributes: ("blob", new string('x', 6 * 1024 * 1024)));
        var tooLarge = await otlp.ExportAsync(Export(big));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.Status);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "application/x-protobuf"), (tooLarge.Status, tooLarge.ContentType));
        Assert.Contains("exceeds", tooLarge.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_export_is_answered_200_in_either_encoding()
    {
        var (_, otlp, _) = await ProjectAsync();
        Assert.Equal(HttpStatusCode.OK, (await otlp.SendAsync([], "application/x-protobuf")).Status);
        Assert.Equal(HttpStatusCode.OK, (await otlp.ExportJsonAsync("{}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await otlp.ExportJsonAsync("""{"resourceSpans":[]}""")).Status);
    }

    [Fact]
    public async Task The_endpoint_takes_an_ingest_key_only()
    {
        var project = await app.CreateProjectAsync("otlp-keys");
        using var read = new OtlpApi(app, project.ReadKey);
        using var none = new OtlpApi(app, "");
        using var bearer = app.CreateClient(project.IngestKey);
        using var content = new ByteArrayContent(Export(Span(7, 1)).ToByteArray());
        content.Headers.ContentType = new("application/x-protobuf");

        Assert.Equal(HttpStatusCode.Forbidden, (await read.ExportAsync(Export(Span(7, 1)))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.ExportAsync(Export(Span(7, 1)))).Status);
        Assert.Equal(HttpStatusCode.OK, (await bearer.PostAsync(new Uri(OtlpApi.Path, UriKind.Relative), content)).StatusCode);
    }

    [Fact]
    public async Task Spans_spread_over_exports_in_any_order_converge_to_what_one_export_stores()
    {
        var (api, otlp, summaries) = await ProjectAsync();
        // Trace 8 arrives as OTLP exporters send it: children first, the session on a later child, the root last.
        // Trace 9 is the same turn in one export. Both must be stored and summarized alike.
        Span[] Turn(int trace) =>
        [
            Span(trace, 2, parent: 1, name: "chat", startMs: 10, attributes: [("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"), ("gen_ai.usage.input_tokens", 100L), ("gen_ai.usage.output_tokens", 20L)]),
            Span(trace, 3, parent: 2, name: "execute_tool weather", startMs: 20, attributes: [("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.call.arguments", """{"city":"Paris"}""")]),
            Span(trace, 4, parent: 1, name: "chat", startMs: 30, attributes: [("gen_ai.operation.name", "chat"), ("session.id", $"journey-{trace}"), ("gen_ai.request.model", "gpt-4o-mini"), ("gen_ai.usage.input_tokens", 150L), ("gen_ai.usage.output_tokens", 40L)]),
            Span(trace, 1, name: "invoke_agent", startMs: 0, attributes: [("gen_ai.operation.name", "invoke_agent"), ("user.id", "u-1")]),
        ];
        var spread = Turn(8);
        foreach (var export in new[] { spread[..2], spread[2..3], spread[3..] })
        {
            Assert.Null((await otlp.ExportAsync(Export(export))).Response.PartialSuccess);
        }

        Assert.Null((await otlp.ExportAsync(Export(Turn(9)))).Response.PartialSuccess);

        var expected = Normalized((await api.GetTraceAsync(TraceHex(9)))!, 9);
        Assert.Equal(expected, Normalized((await api.GetTraceAsync(TraceHex(8)))!, 8));
        var sessions = new List<string>();
        foreach (var trace in new[] { 8, 9 })
        {
            var summary = await summaries.WaitForSessionAsync($"journey-{trace}", s => (int?)s["spanCount"] == 4, TimeSpan.FromSeconds(20));
            Assert.Equal((4, 310L), ((int)summary!["spanCount"]!, (long)summary["totalTokens"]!));
            sessions.Add($"{summary["traceCount"]} {summary["inputTokens"]} {summary["outputTokens"]} {summary["totalCost"]} {summary["userIds"]?.ToJsonString()}");
        }

        Assert.Equal(sessions[1], sessions[0]);
    }

    [Fact]
    public async Task An_export_sent_again_changes_nothing()
    {
        var (api, otlp, _) = await ProjectAsync();
        var request = Export(Span(10, 1, name: "turn", attributes: ("session.id", "again")), Span(10, 2, parent: 1, attributes: [("gen_ai.operation.name", "chat"), ("gen_ai.usage.input_tokens", 5L)]));

        await otlp.ExportAsync(request);
        var first = (await api.GetTraceAsync(TraceHex(10)))!.ToJsonString();
        Assert.Null((await otlp.ExportAsync(request)).Response.PartialSuccess);

        Assert.Equal(first, (await api.GetTraceAsync(TraceHex(10)))!.ToJsonString());
    }

    internal static readonly EqualityComparer<(int, long, double)> TolerantCost = EqualityComparer<(int, long, double)>.Create(
        (a, b) => a.Item1 == b.Item1 && a.Item2 == b.Item2 && Math.Abs(a.Item3 - b.Item3) < 1e-12, t => t.Item1);

    /// <summary>An export in OTLP/JSON, ids in hex as the specification says (protobuf's own JSON would write base64).</summary>
    internal static string HexJson(ExportTraceServiceRequest request)
    {
        var json = JsonNode.Parse(JsonFormatter.Default.Format(request), documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 1024 })!;
        foreach (var span in json["resourceSpans"]!.AsArray().SelectMany(r => r!["scopeSpans"]!.AsArray()).SelectMany(s => s!["spans"]!.AsArray()))
        {
            foreach (var id in new[] { "traceId", "spanId", "parentSpanId" })
            {
                if (span![id] is { } value)
                {
                    span[id] = Convert.ToHexString(Convert.FromBase64String((string)value!));
                }
            }
        }

        return json.ToJsonString();
    }

    /// <summary>A stored trace without what differs between two traces of the same shape: its ids.</summary>
    private static string Normalized(JsonNode trace, int traceNumber) =>
        trace.ToJsonString().Replace(TraceHex(traceNumber), "T", StringComparison.Ordinal).Replace($"journey-{traceNumber}", "S", StringComparison.Ordinal);

    private async Task<(IngestApi Api, OtlpApi Otlp, SummaryReader Summaries)> ProjectAsync()
    {
        var api = await IngestApi.ForNewProjectAsync(app);
        return (api, new OtlpApi(app, api.Project.IngestKey), new SummaryReader(app, api.Project.Id));
    }
}
