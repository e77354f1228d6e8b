using System.Text.Json;
using Traceway.Hosting;
using Traceway.Ingestion;
using static Traceway.Tests.Ingestion.BadInputCorpus;

namespace Traceway.Tests.Ingestion;

/// <summary>The JSON parser on its own: every bad-input case is refused by name, and the valid items beside it are kept.</summary>
public sealed class JsonIngestParserTests
{
    public static TheoryData<string, string, string> Traces => BadTraces;

    public static TheoryData<string, string, string> Spans => BadSpans;

    public static TheoryData<string, string> Envelopes => NotAnEnvelope;

    [Theory]
    [MemberData(nameof(Traces))]
    public void A_bad_trace_is_rejected_by_its_field_and_the_valid_trace_beside_it_is_kept(string because, string badTrace, string field)
    {
        var batch = Parse($"{{\"traces\":[{ValidTrace},{badTrace}]}}");

        var error = Assert.Single(batch.Rejected);
        Assert.Equal(("trace", 1, (int?)null, 400, field), (error.Kind, error.Index, error.SpanIndex, error.Status, error.Field ?? ""));
        Assert.False(string.IsNullOrWhiteSpace(error.Detail), because);
        AssertOnlyTheValidTraceIsKept(batch);
        Assert.Empty(batch.Spans);
    }

    [Theory]
    [MemberData(nameof(Spans))]
    public void A_bad_span_is_rejected_by_its_field_and_the_valid_trace_beside_it_is_kept(string because, string badSpan, string field)
    {
        var batch = Parse($"{{\"traces\":[{ValidTrace}],\"spans\":[{badSpan}]}}");

        var error = Assert.Single(batch.Rejected);
        Assert.Equal(("span", 0, (int?)null, 400, field), (error.Kind, error.Index, error.SpanIndex, error.Status, error.Field));
        Assert.False(string.IsNullOrWhiteSpace(error.Detail), because);
        AssertOnlyTheValidTraceIsKept(batch);
        Assert.Empty(batch.Spans);
    }

    [Fact]
    public void The_whole_bad_trace_corpus_in_one_request_gets_one_rejection_per_bad_trace_at_its_own_position()
    {
        var cases = BadTraces.Select(c => (Because: (string)c[0], Trace: (string)c[1], Field: (string)c[2])).ToList();
        // Each bad trace gets its own id, so that one can only be refused for its own problem.
        var traces = cases.Select((c, i) => c.Trace.Replace("\"id\":\"bad\"", $"\"id\":\"bad-{i}\"", StringComparison.Ordinal));

        var batch = Parse($"{{\"traces\":[{ValidTrace},{string.Join(",", traces)}]}}");

        Assert.Equal(
            cases.Select((c, i) => (c.Because, "trace", i + 1, 400, c.Field)),
            batch.Rejected.Select(e => (cases[e.Index - 1].Because, e.Kind, e.Index, e.Status, e.Field ?? "")));
        AssertOnlyTheValidTraceIsKept(batch);
    }

    [Fact]
    public void A_nested_span_naming_another_trace_or_session_is_rejected_by_its_position_and_its_siblings_are_kept()
    {
        var host = $$"""{"id":"host","sessionId":"s2","startedAt":{{T}},"spans":[{"id":"fine","name":"x","startedAt":{{T}}},{"id":"bad","traceId":"elsewhere","name":"x","startedAt":{{T}}},{"id":"bad2","sessionId":"other","name":"x","startedAt":{{T}}}]}""";

        var batch = Parse($"{{\"traces\":[{ValidTrace},{host}]}}");

        Assert.Equal([(1, (int?)1, "traceId"), (1, 2, "sessionId")], batch.Rejected.Select(e => (e.Index, e.SpanIndex, e.Field)));
        Assert.Equal(["fine"], batch.Traces.Single(t => t.Trace.TraceId == "host").Spans.Select(s => s.Span.SpanId));
    }

    [Fact]
    public void The_nested_spans_of_a_rejected_trace_are_rejected_with_it_by_their_positions()
    {
        var batch = Parse($$"""{"traces":[{"id":"no-start","spans":[{"id":"a","name":"x","startedAt":{{T}}},{"id":"b","name":"y","startedAt":{{T}}}]}]}""");

        Assert.Equal(
            [("trace", 0, (int?)null, (string?)"no-start"), ("span", 0, 0, "a"), ("span", 0, 1, "b")],
            batch.Rejected.Select(e => (e.Kind, e.Index, e.SpanIndex, e.Id)));
        Assert.Empty(batch.Traces);
    }

    [Fact]
    public void A_nested_span_belongs_to_its_traces_session_and_a_top_level_span_keeps_the_session_it_states()
    {
        var batch = Parse($$"""{"traces":[{{ValidTrace}}],"spans":[{"id":"alone","traceId":"elsewhere","sessionId":"s9","name":"x","startedAt":{{T}}}]}""");

        Assert.Equal("s", Assert.Single(Assert.Single(batch.Traces).Spans).Span.SessionId);
        Assert.Equal(("elsewhere", "s9"), (Assert.Single(batch.Spans).Span.TraceId, batch.Spans[0].Span.SessionId));
    }

    [Fact]
    public void The_session_may_arrive_on_any_span_of_a_trace_that_states_none_and_a_contradicting_one_is_refused()
    {
        var batch = Parse($$"""
            {"traces":[{"id":"t","startedAt":{{T}},"spans":[{"id":"a","name":"x","startedAt":{{T}}},{"id":"b","sessionId":"s1","name":"x","startedAt":{{T}}}]}],
             "spans":[{"id":"c","traceId":"t","sessionId":"s1","name":"x","startedAt":{{T}}},{"id":"d","traceId":"t","sessionId":"s2","name":"x","startedAt":{{T}}},
                      {"id":"e","traceId":"u","name":"x","startedAt":{{T}}},{"id":"f","traceId":"u","sessionId":"s3","name":"x","startedAt":{{T}}},{"id":"g","traceId":"u","sessionId":"s4","name":"x","startedAt":{{T}}}]}
            """);

        Assert.Equal([(1, (int?)null, "sessionId"), (4, null, "sessionId")], batch.Rejected.Select(e => (e.Index, e.SpanIndex, e.Field)));
        Assert.Equal(["b:s1", "c:s1", "f:s3"], batch.Traces[0].Spans.Concat(batch.Spans).Where(s => s.Span.SessionId is not null).Select(s => $"{s.Span.SpanId}:{s.Span.SessionId}"));
    }

    [Fact]
    public void A_body_with_no_surrogate_escape_skips_the_text_walk_and_one_with_any_does_not()
    {
        Assert.False(JsonTextRules.MayHoldLoneSurrogate("{\"a\":\"\\u0041 caf\u00e9 \\u00e9\"}"u8));
        Assert.True(JsonTextRules.MayHoldLoneSurrogate("{\"a\":\"\\uD83D\\uDE00\"}"u8));
        Assert.True(JsonTextRules.MayHoldLoneSurrogate("{\"a\":\"x\\udfff\"}"u8));
    }

    [Fact]
    public void A_valid_span_keeps_every_field_it_states()
    {
        var batch = Parse($$"""
            {"spans":[{"id":"llm-1","traceId":"t1","parentId":"root","name":"chat","kind":"llm","model":"gpt-4o","provider":"openai",
              "input":{"messages":[1, 2.50]},"output":"hi","inputTokens":1200,"outputTokens":80,"cost":0.25,"status":"error","error":"boom",
              "startedAt":"2026-11-20T10:00:00.123456789Z","endedAt":"2026-11-20T11:00:01+01:00","attributes":{ "b": 1, "a": [true] } }]}
            """);

        Assert.Empty(batch.Rejected.Select(e => e.Detail));
        var span = Assert.Single(batch.Spans).Span;
        Assert.Equal(
            ("llm-1", "t1", "root", "chat", "llm", "gpt-4o", "openai", """{"messages":[1, 2.50]}""", "\"hi\"", 1200L, 80L, 0.25, "error", "boom"),
            (span.SpanId, span.TraceId, span.ParentId, span.Name, span.Kind, span.Model, span.Provider, span.Input, span.Output, span.InputTokens, span.OutputTokens, span.Cost, span.Status, span.Error));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_567), span.StartedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 1, TimeSpan.Zero), span.EndedAt);
        Assert.Equal("""{"b":1,"a":[true]}""", span.Attributes);
    }

    [Theory]
    [MemberData(nameof(Envelopes))]
    public void A_body_that_is_not_an_ingest_envelope_is_refused_whole(string because, string json)
    {
        var error = Assert.Throws<EnvelopeException>(() => Parse(json));

        Assert.False(string.IsNullOrWhiteSpace(error.Message), because);
    }

    [Fact]
    public void A_request_over_the_item_limit_is_refused_whole_counting_nested_spans()
    {
        var error = Assert.Throws<EnvelopeTooLargeException>(() => Parse($"{{\"traces\":[{ValidTrace}],\"spans\":[{{}}]}}", new IngestOptions { MaxItems = 2 }));

        Assert.Contains("3 items", error.Message, StringComparison.Ordinal);
    }

    private static IngestBatch Parse(string json, IngestOptions? limits = null)
    {
        using var document = JsonDocument.Parse(json, TracewayJson.DocumentOptions);
        return JsonIngestParser.Parse(document.RootElement, limits ?? new IngestOptions());
    }

    private static void AssertOnlyTheValidTraceIsKept(IngestBatch batch)
    {
        var entry = Assert.Single(batch.Traces);
        Assert.Equal(("valid", "s", "chat-turn"), (entry.Trace.TraceId, entry.Trace.SessionId, entry.Trace.Name));
        var span = Assert.Single(entry.Spans).Span;
        Assert.Equal(("v-span", "step", "s"), (span.SpanId, span.Name, span.SessionId));
    }
}
