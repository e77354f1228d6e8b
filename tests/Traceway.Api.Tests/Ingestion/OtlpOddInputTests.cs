using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Traceway.Ingestion.Otlp.Proto;
using Traceway.Tests.Infrastructure;
using static Traceway.Testing.OtlpSpans;

namespace Traceway.Tests.Ingestion;

/// <summary>
/// Bad and odd OTLP inputs, each sent beside a stored session: each is either stored exactly or rejected with its
/// reason, never answered with a 5xx, and the session stored before is unchanged.
/// </summary>
public sealed class OtlpOddInputTests(OtlpTestApp app) : IClassFixture<OtlpTestApp>
{
    private const int Odd = 77;
    private const int Stored = 1000;

    private enum Outcome
    {
        Stored,
        SpanRejected,
        BodyRefused,
    }

    /// <summary>An input, what it must come to, and for one stored a check of its span (and the trace around it).</summary>
    private sealed record OddInput(Outcome Expected, string Reason, Func<(string ContentType, byte[] Body)> Request, Action<JsonNode, JsonNode>? Check = null);

    private static readonly Dictionary<string, OddInput> Corpus = new()
    {
        ["no trace id"] = Rejected("traceId is required", s => s.TraceId = ByteString.Empty),
        ["no span id"] = Rejected("spanId is required", s => s.SpanId = ByteString.Empty),
        ["a trace id of 8 bytes"] = Rejected("traceId must be 16 bytes", s => s.TraceId = SpanId(5)),
        ["a span id of 16 bytes"] = Rejected("spanId must be 8 bytes", s => s.SpanId = TraceId(5)),
        ["an all-zero trace id"] = Rejected("traceId must not be all zeros", s => s.TraceId = ByteString.CopyFrom(new byte[16])),
        ["a parent id of 3 bytes"] = Rejected("parentSpanId must be 8 bytes", s => s.ParentSpanId = ByteString.CopyFrom(1, 2, 3)),
        ["an end before the start"] = Rejected("endTimeUnixNano must not be before startTimeUnixNano", s => s.EndTimeUnixNano = s.StartTimeUnixNano - 1),
        ["no start time"] = Rejected("startTimeUnixNano is required", s => s.StartTimeUnixNano = 0),
        ["an empty name"] = Rejected("name must be 1 to 512 characters", s => s.Name = ""),
        ["a session id of 500 characters"] = Rejected("session.id must be at most 200 characters", s => s.Attributes.Add(Attribute("session.id", new string('s', 500)))),
        ["an attribute nested 70 levels"] = Rejected("nests more than 64 levels", s => s.Attributes.Add(Attribute("deep", Nested(70))), json: true),
        ["a JSON trace id of 30 hex digits"] = Rejected("traceId must be 16 bytes", s => s.TraceId = ByteString.CopyFrom(new byte[15] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }), json: true),
        ["a span twice in one export"] = new(Outcome.SpanRejected, "appears more than once in this export", () => Protobuf(Export(OddSpan(), OddSpan()))),
        ["a rejected span of the stored trace"] = new(Outcome.SpanRejected, "endTimeUnixNano must not be before", () =>
        {
            var span = Span(Stored, 2, parent: 1);
            span.EndTimeUnixNano = span.StartTimeUnixNano - 1;
            return Protobuf(Export(span));
        }),
        ["a span naming another session than its stored trace's"] = new(Outcome.SpanRejected, "contradicts the stored session", () =>
            Protobuf(Export(Span(Stored, 9, parent: 1, attributes: ("session.id", "another"))))),

        ["no end time"] = Accepted(s => s.EndTimeUnixNano = 0, span => Assert.Null(span["endedAt"])),
        ["every AnyValue type, nested"] = Accepted(
            s => s.Attributes.Add(Attribute("all", new (string, object)[] { ("s", "text"), ("b", true), ("i", long.MaxValue), ("d", 0.5), ("x", new byte[] { 255 }), ("a", new object[] { 1L, new object[] { "deep" }, new (string, object)[] { ("k", false) } }) })),
            span => Assert.Equal("""{"s":"text","b":true,"i":9223372036854775807,"d":0.5,"x":"/w==","a":[1,["deep"],{"k":false}]}""", span["attributes"]!["all"]!.ToJsonString())),
        ["10,000 attributes"] = Accepted(
            s => s.Attributes.Add(Enumerable.Range(0, 10_000).Select(i => Attribute($"a{i}", i))),
            span => Assert.Equal(9_999, (int)span["attributes"]!["a9999"]!)),
        ["an attribute of 1.5 MB"] = Accepted(
            s => s.Attributes.Add(Attribute("blob", new string('x', 3 * 512 * 1024))),
            span => Assert.Equal(3 * 512 * 1024, ((string)span["attributes"]!["blob"]!).Length)),
        ["a 1 MB message"] = Accepted(
            s => s.Attributes.Add(Attribute("gen_ai.input.messages", new string('m', 1024 * 1024))),
            span => Assert.Equal(1024 * 1024, ((string)span["input"]!).Length)),
        ["an attribute nested 40 levels"] = Accepted(s => s.Attributes.Add(Attribute("deep", Nested(40))), span => Assert.Contains("\"leaf\"", span["attributes"]!["deep"]!.ToJsonString(), StringComparison.Ordinal)),
        ["a session on the resource only"] = new(Outcome.Stored, "", () => Protobuf(Export([("session.id", "from-resource")], OddSpan())), (_, trace) => Assert.Equal("from-resource", (string?)trace["sessionId"])),
        ["an error status with a message"] = Accepted(
            s => s.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "rate limited" },
            span => Assert.Equal(("error", "rate limited"), ((string?)span["status"], (string?)span["error"]))),
        ["NaN and infinite doubles"] = Accepted(
            s => s.Attributes.Add([Attribute("nan", double.NaN), Attribute("inf", double.NegativeInfinity)]),
            span => Assert.Equal(("NaN", "-Infinity"), ((string?)span["attributes"]!["nan"], (string?)span["attributes"]!["inf"]))),
        ["1,000 events"] = Accepted(
            s => s.Events.Add(Enumerable.Range(0, 1000).Select(i => new Traceway.Ingestion.Otlp.Proto.Span.Types.Event { Name = $"e{i}", TimeUnixNano = s.StartTimeUnixNano })),
            span => Assert.Equal(1000, span["attributes"]!["otel.events"]!.AsArray().Count)),
        ["an unknown span kind number"] = Accepted(s => s.Kind = (Traceway.Ingestion.Otlp.Proto.Span.Types.SpanKind)42, span => Assert.Equal("42", (string?)span["attributes"]!["otel.span_kind"])),
        ["a start in the year 2500"] = Accepted(
            s => (s.StartTimeUnixNano, s.EndTimeUnixNano) = (Nanos(new DateTimeOffset(2500, 1, 1, 0, 0, 0, TimeSpan.Zero)), 0),
            span => Assert.Equal(2500, ((DateTimeOffset)span["startedAt"]!).Year)),
        ["an empty key and a repeated key"] = Accepted(
            s => s.Attributes.Add([Attribute("", "blank"), Attribute("k", "first"), Attribute("k", "last")]),
            span => Assert.Equal(("blank", "last"), ((string?)span["attributes"]![""], (string?)span["attributes"]!["k"]))),
        ["unknown protobuf fields"] = new(Outcome.Stored, "", () => ("application/x-protobuf", [.. Bytes(OddSpan()), 120, 1, 130, 1, 3, (byte)'a', (byte)'b', (byte)'c']), (span, _) => Assert.Equal("odd", (string?)span["name"])),
        ["unknown OTLP/JSON fields"] = new(Outcome.Stored, "", () => Json(OtlpIngestTests.HexJson(Export(OddSpan())).Replace("\"name\":\"odd\"", "\"name\":\"odd\",\"someday\":{\"x\":[1]},\"droppedAttributesCount\":4", StringComparison.Ordinal)), (span, _) => Assert.Equal("odd", (string?)span["name"])),
        ["a JSON content type with a charset"] = new(Outcome.Stored, "", () => ("application/json; charset=utf-8", Encoding.UTF8.GetBytes(OtlpIngestTests.HexJson(Export(OddSpan())))), (span, _) => Assert.Equal("odd", (string?)span["name"])),

        ["invalid UTF-8 in the span name"] = new(Outcome.BodyRefused, "protobuf", () => ("application/x-protobuf", Spoiled(Bytes(OddSpan("NAME")), "NAME"u8))),
        ["invalid UTF-8 in an attribute value"] = new(Outcome.BodyRefused, "protobuf", () => ("application/x-protobuf", Spoiled(Bytes(OddSpan(attribute: "VALUE")), "VALUE"u8))),
        ["a truncated protobuf"] = new(Outcome.BodyRefused, "protobuf", () => ("application/x-protobuf", Bytes(OddSpan())[..^2])),
        ["bytes that are no protobuf"] = new(Outcome.BodyRefused, "protobuf", () => ("application/x-protobuf", [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])),
        ["an attribute nested 200 levels in protobuf"] = new(Outcome.BodyRefused, "protobuf", () => Protobuf(Export(OddSpan(deep: 200)))),
        ["a JSON id that is not hex"] = new(Outcome.BodyRefused, "must be a hex string", () => Json(OtlpIngestTests.HexJson(Export(OddSpan())).Replace(SpanHex(1).ToUpperInvariant(), "zz-not-hex-zz", StringComparison.Ordinal))),
        ["a JSON intValue with a fraction"] = new(Outcome.BodyRefused, "intValue must be a 64-bit integer", () => Json(OtlpIngestTests.HexJson(Export(OddSpan(attribute: "v"))).Replace("{\"stringValue\":\"v\"}", "{\"intValue\":1.5}", StringComparison.Ordinal))),
        ["a JSON array as the body"] = new(Outcome.BodyRefused, "the body must be a JSON object", () => Json("[]")),
        ["JSON that does not parse"] = new(Outcome.BodyRefused, "not valid JSON", () => Json("""{"resourceSpans":[""")),
        ["a lone surrogate in OTLP/JSON"] = new(Outcome.BodyRefused, "lone UTF-16 surrogate", () => Json(OtlpIngestTests.HexJson(Export(OddSpan())).Replace("\"name\":\"odd\"", "\"name\":\"\\ud800\"", StringComparison.Ordinal))),
        ["invalid UTF-8 in OTLP/JSON"] = new(Outcome.BodyRefused, "not valid UTF-8", () => ("application/json", Spoiled(Encoding.UTF8.GetBytes(OtlpIngestTests.HexJson(Export(OddSpan("NAME")))), "NAME"u8))),
    };

    public static TheoryData<string> Cases => [.. Corpus.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_odd_input_is_stored_exactly_or_rejected_with_its_reason_and_what_was_stored_before_is_unchanged(string name)
    {
        var odd = Corpus[name];
        using var api = await IngestApi.ForNewProjectAsync(app);
        using var otlp = new OtlpApi(app, api.Project.IngestKey);
        var root = Span(Stored, 1, name: "stored turn", attributes: ("session.id", "stored-session"));
        Assert.Equal(HttpStatusCode.OK, (await otlp.ExportAsync(Export(root, Span(Stored, 2, parent: 1, attributes: [("gen_ai.operation.name", "chat"), ("gen_ai.usage.input_tokens", 3L)])))).Status);
        var before = (await api.GetTraceAsync(TraceHex(Stored)))!.ToJsonString();

        var (contentType, body) = odd.Request();
        var reply = await otlp.SendAsync(body, contentType);

        Assert.True((int)reply.Status < 500, $"{name}: {reply.Status}");
        switch (odd.Expected)
        {
            case Outcome.Stored:
                Assert.True(reply.Status == HttpStatusCode.OK && reply.Response.PartialSuccess is null, $"{name}: {reply.Status} {reply.Response.PartialSuccess}");
                var trace = (await api.GetTraceAsync(TraceHex(Odd)))!;
                odd.Check?.Invoke(trace["spans"]!.AsArray().Single(s => (string?)s!["id"] == SpanHex(1))!, trace);
                break;
            case Outcome.SpanRejected:
                Assert.Equal(HttpStatusCode.OK, reply.Status);
                Assert.True(reply.Response.PartialSuccess?.RejectedSpans >= 1, name);
                Assert.Contains(odd.Reason, reply.Response.PartialSuccess!.ErrorMessage, StringComparison.Ordinal);
                break;
            default:
                Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
                Assert.Contains(odd.Reason, reply.Error.Message, StringComparison.Ordinal);
                Assert.Null(await api.GetTraceAsync(TraceHex(Odd)));
                break;
        }

        Assert.Equal(before, (await api.GetTraceAsync(TraceHex(Stored)))!.ToJsonString());
    }

    [Fact]
    public void The_corpus_holds_at_least_thirty_inputs_of_each_outcome() =>
        Assert.True(Corpus.Count >= 30 && Enum.GetValues<Outcome>().All(o => Corpus.Values.Any(c => c.Expected == o)));

    private static Traceway.Ingestion.Otlp.Proto.Span OddSpan(string name = "odd", string? attribute = null, int deep = 0)
    {
        var span = Span(Odd, 1, name: name);
        if (attribute is not null)
        {
            span.Attributes.Add(Attribute("attribute", attribute));
        }

        if (deep > 0)
        {
            span.Attributes.Add(Attribute("deep", Nested(deep)));
        }

        return span;
    }

    private static OddInput Rejected(string reason, Action<Traceway.Ingestion.Otlp.Proto.Span> spoil, bool json = false) =>
        new(Outcome.SpanRejected, reason, () =>
        {
            var span = OddSpan();
            spoil(span);
            var export = Export(span);
            return json ? Json(OtlpIngestTests.HexJson(export)) : Protobuf(export);
        });

    private static OddInput Accepted(Action<Traceway.Ingestion.Otlp.Proto.Span> change, Action<JsonNode> checkSpan) =>
        new(Outcome.Stored, "", () =>
        {
            var span = OddSpan();
            change(span);
            return Protobuf(Export(span));
        }, (span, _) => checkSpan(span));

    private static (string, byte[]) Protobuf(ExportTraceServiceRequest request) => ("application/x-protobuf", request.ToByteArray());

    private static (string, byte[]) Json(string json) => ("application/json", Encoding.UTF8.GetBytes(json));

    private static byte[] Bytes(Traceway.Ingestion.Otlp.Proto.Span span) => Export(span).ToByteArray();

    /// <summary>The bytes with <paramref name="marker"/> overwritten by bytes that are no UTF-8 (a lone continuation byte first).</summary>
    private static byte[] Spoiled(byte[] bytes, ReadOnlySpan<byte> marker)
    {
        var at = bytes.AsSpan().IndexOf(marker);
        Assert.True(at >= 0);
        bytes[at] = 0x80;
        bytes[at + 1] = 0xFF;
        return bytes;
    }
}
