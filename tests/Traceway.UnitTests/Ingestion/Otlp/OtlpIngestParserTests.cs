using Google.Protobuf;
using Traceway.Ingestion;
using Traceway.Ingestion.Otlp;
using Traceway.Ingestion.Otlp.Proto;
using static Traceway.Testing.OtlpSpans;

namespace Traceway.Tests.Ingestion.Otlp;

/// <summary>An OTLP export as Traceway items: traces from roots, sessions from any span, and each bad span refused by name.</summary>
public sealed class OtlpIngestParserTests
{
    [Fact]
    public void The_root_span_is_a_span_and_gives_its_trace_the_name_times_input_and_output()
    {
        var root = Span(1, 1, name: "invoke_agent weather", attributes: [("gen_ai.input.messages", """[{"role":"user","content":"q"}]"""), ("gen_ai.output.messages", """[{"role":"assistant","content":"a"}]""")]);
        root.EndTimeUnixNano = Nanos(Start.AddSeconds(3));
        var batch = Parse(root, Span(1, 2, parent: 1, startMs: 10)).Batch;

        var trace = Assert.Single(batch.Traces);
        Assert.Equal(
            (TraceHex(1), "invoke_agent weather", Start, Start.AddSeconds(3), """[{"role":"user","content":"q"}]""", """[{"role":"assistant","content":"a"}]"""),
            (trace.Trace.TraceId, trace.Trace.Name, trace.Trace.StartedAt, trace.Trace.EndedAt, trace.Trace.Input, trace.Trace.Output));
        Assert.Equal(0, trace.Index);
        Assert.Equal([SpanHex(1), SpanHex(2)], batch.Spans.Select(s => s.Span.SpanId));
        Assert.Equal([null, SpanHex(1)], batch.Spans.Select(s => s.Span.ParentId));
    }

    [Fact]
    public void A_trace_whose_root_has_not_arrived_is_only_spans() =>
        Assert.Empty(Parse(Span(1, 2, parent: 1), Span(1, 3, parent: 1)).Batch.Traces);

    [Fact]
    public void Spans_before_their_root_that_name_a_user_or_tags_make_a_provisional_trace_item_carrying_them()
    {
        var trace = Parse(Span(1, 3, parent: 1, startMs: 40, attributes: ("user.id", "u-7")), Span(1, 2, parent: 1, startMs: 20, attributes: ("tag.tags", new object[] { "beta" }))).Batch.Traces.Single();

        Assert.Equal((true, "u-7", Start.AddMilliseconds(20), (string?)null), (trace.Trace.Provisional, trace.Trace.UserId, trace.Trace.StartedAt, trace.Trace.Name));
        Assert.Equal(["beta"], trace.Trace.Tags);
        Assert.Equal(1, trace.Index);
    }

    [Fact]
    public void The_session_comes_from_any_span_of_the_trace_and_joins_them_all()
    {
        var batch = Parse(Span(1, 1), Span(1, 2, parent: 1, startMs: 50, attributes: ("gen_ai.conversation.id", "c-1")), Span(1, 3, parent: 2, startMs: 60)).Batch;

        Assert.All(batch.Spans, s => Assert.Equal("c-1", s.Span.SessionId));
        Assert.Equal("c-1", batch.Traces.Single().Trace.SessionId);
    }

    [Fact]
    public void The_roots_session_wins_else_the_earliest_spans()
    {
        var rootWins = Parse(Span(1, 2, parent: 1, startMs: 0, attributes: ("session.id", "child")), Span(1, 1, startMs: 5, attributes: ("session.id", "root"))).Batch;
        Assert.All(rootWins.Spans, s => Assert.Equal("root", s.Span.SessionId));

        var earliestWins = Parse(Span(1, 3, parent: 1, startMs: 90, attributes: ("session.id", "later")), Span(1, 2, parent: 1, startMs: 10, attributes: ("session.id", "earlier"))).Batch;
        Assert.All(earliestWins.Spans, s => Assert.Equal("earlier", s.Span.SessionId));
    }

    [Fact]
    public void The_user_and_tags_of_a_trace_come_from_any_of_its_spans()
    {
        var trace = Parse(Span(1, 1, attributes: ("tag.tags", new object[] { "beta", "eu" })), Span(1, 2, parent: 1, attributes: [("user.id", "u-1"), ("tag.tags", new object[] { "eu", "vip" })])).Batch.Traces.Single().Trace;
        Assert.Equal("u-1", trace.UserId);
        Assert.Equal(["beta", "eu", "vip"], trace.Tags);
    }

    [Fact]
    public void Spans_of_several_traces_and_resources_keep_their_place_in_the_export()
    {
        var request = Export(Span(1, 1), Span(2, 1));
        request.ResourceSpans.Add(Export(Span(1, 2, parent: 1)).ResourceSpans[0]);
        var export = OtlpIngestParser.Parse(request, Limits);

        Assert.Equal(3, export.SpanCount);
        Assert.Equal([0, 1, 2], export.Batch.Spans.Select(s => s.Index).Order());
        Assert.Equal(SpanHex(2), export.Batch.Spans.Single(s => s.Index == 2).Span.SpanId);
        Assert.Equal($"span '{SpanHex(2)}' of trace '{TraceHex(1)}'", export.SpanNames[2]);
    }

    private static readonly Dictionary<string, (Action<Span> Spoil, string Field)> Spoilers = new()
    {
        ["no trace id"] = (s => s.TraceId = ByteString.Empty, "traceId"),
        ["a trace id of 15 bytes"] = (s => s.TraceId = ByteString.CopyFrom(new byte[15] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }), "traceId"),
        ["an all-zero trace id"] = (s => s.TraceId = ByteString.CopyFrom(new byte[16]), "traceId"),
        ["no span id"] = (s => s.SpanId = ByteString.Empty, "spanId"),
        ["a span id of 16 bytes"] = (s => s.SpanId = TraceId(5), "spanId"),
        ["an all-zero span id"] = (s => s.SpanId = ByteString.CopyFrom(new byte[8]), "spanId"),
        ["a parent id of 4 bytes"] = (s => s.ParentSpanId = ByteString.CopyFrom(1, 2, 3, 4), "parentSpanId"),
        ["no name"] = (s => s.Name = "", "name"),
        ["a name of 513 characters"] = (s => s.Name = new string('n', 513), "name"),
        ["no start"] = (s => s.StartTimeUnixNano = 0, "startTimeUnixNano"),
        ["an end before the start"] = (s => s.EndTimeUnixNano = s.StartTimeUnixNano - 1, "endTimeUnixNano"),
        ["a session id of 201 characters"] = (s => s.Attributes.Add(Attribute("session.id", new string('s', 201))), "session.id"),
        ["a session id with a control character"] = (s => s.Attributes.Add(Attribute("gen_ai.conversation.id", "a\nb")), "gen_ai.conversation.id"),
        ["a session id that is a dot segment"] = (s => s.Attributes.Add(Attribute("session.id", "..")), "session.id"),
        ["a user id of 257 characters"] = (s => s.Attributes.Add(Attribute("user.id", new string('u', 257))), "user.id"),
        ["an attribute nested 65 levels deep"] = (s => s.Attributes.Add(Attribute("deep", Nested(65))), "deep"),
    };

    public static TheoryData<string> BadSpans => [.. Spoilers.Keys];

    [Theory]
    [MemberData(nameof(BadSpans))]
    public void A_bad_span_is_rejected_by_its_field_and_the_spans_beside_it_are_kept(string because)
    {
        var (spoil, field) = Spoilers[because];
        var bad = Span(2, 7, startMs: 100);
        spoil(bad);
        var batch = Parse(Span(1, 1), bad, Span(1, 2, parent: 1)).Batch;

        var error = Assert.Single(batch.Rejected);
        Assert.Equal(("span", 1, 400, field), (error.Kind, error.Index, error.Status, error.Field));
        Assert.False(string.IsNullOrWhiteSpace(error.Detail), because);
        Assert.Equal([0, 2], batch.Spans.Select(s => s.Index));
    }

    [Fact]
    public void An_attribute_nested_as_deep_as_the_limit_is_kept() =>
        Assert.Empty(Parse(Span(1, 1, attributes: ("deep", Nested(Limits.MaxPayloadDepth - 1)))).Batch.Rejected);

    [Fact]
    public void A_span_sent_twice_in_one_export_is_refused_the_second_time()
    {
        var batch = Parse(Span(1, 1), Span(1, 1, startMs: 5)).Batch;
        Assert.Equal(0, batch.Spans.Single().Index);
        Assert.Equal((1, "spanId"), (batch.Rejected.Single().Index, batch.Rejected.Single().Field));
    }

    [Fact]
    public void An_export_of_more_spans_than_a_request_may_hold_is_refused_whole()
    {
        var spans = Enumerable.Range(1, Limits.MaxItems + 1).Select(i => Span(1, i)).ToArray();
        Assert.Throws<EnvelopeTooLargeException>(() => Parse(spans));
        Assert.Equal(Limits.MaxItems, Parse(spans[..^1]).SpanCount);
    }

    [Fact]
    public void Times_keep_their_precision_to_a_tenth_of_a_microsecond()
    {
        var span = Span(1, 1);
        span.StartTimeUnixNano = Nanos(Start) + 1_234_567;
        span.EndTimeUnixNano = 0;
        var item = Parse(span).Batch.Spans.Single().Span;
        Assert.Equal((Start.AddTicks(12_345), (DateTimeOffset?)null), (item.StartedAt, item.EndedAt));
    }
}
