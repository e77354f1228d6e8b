using Traceway.Documents;
using Traceway.Ingestion;

namespace Traceway.Tests.Ingestion;

/// <summary>
/// DESIGN.md §4 field by field: a value the resend gives replaces the stored one, a value it omits never erases
/// the stored one, and a payload moves between inline and Blob as a whole.
/// </summary>
public sealed class MergeFieldRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly PayloadReference StoredBlob = new("stored-blob", 70_000, "stored…");
    private static readonly PayloadReference NewBlob = new("new-blob", 80_000, "new…");

    private static readonly TraceDocument FullTrace = new()
    {
        Id = "t:t", Pk = "p:s:s", ProjectId = "p", TraceId = "t", SessionId = "s", Name = "turn", UserId = "u1", StartedAt = Start,
        EndedAt = Start.AddSeconds(3), Input = "\"hello\"", Output = "\"hi\"", Status = "ok", Tags = ["prod"], Metadata = """{"a":1}""",
    };

    private static readonly TraceDocument BareTrace = new() { Id = "t:t", Pk = "p:s:s", ProjectId = "p", TraceId = "t", StartedAt = Start };

    private static readonly SpanDocument FullSpan = new()
    {
        Id = "s:t:x", Pk = "p:s:s", ProjectId = "p", TraceId = "t", SessionId = "s", SpanId = "x", ParentId = "root", Name = "chat",
        Kind = "llm", Model = "gpt-4o", Provider = "openai", Input = "\"question\"", Output = "\"answer\"", InputTokens = 100, OutputTokens = 20,
        Status = "ok", Error = "slow", StartedAt = Start, EndedAt = Start.AddSeconds(2), Attributes = """{"seed":7}""",
    };

    private static readonly SpanDocument BareSpan = new() { Id = "s:t:x", Pk = "p:s:s", ProjectId = "p", TraceId = "t", SpanId = "x", Name = "chat", StartedAt = Start };

    [Fact]
    public void A_trace_resent_without_its_optional_fields_keeps_every_stored_value()
    {
        var merged = DocumentMerge.Merge(FullTrace, BareTrace);

        Assert.Equal(
            ("turn", "u1", (DateTimeOffset?)Start.AddSeconds(3), "\"hello\"", "\"hi\"", "ok", "prod", """{"a":1}"""),
            (merged.Name, merged.UserId, merged.EndedAt, merged.Input, merged.Output, merged.Status, string.Join(',', merged.Tags!), merged.Metadata));
    }

    [Fact]
    public void A_trace_resent_with_new_values_takes_them()
    {
        var incoming = FullTrace with
        {
            Name = "turn 2", UserId = "u2", StartedAt = Start.AddSeconds(-1), EndedAt = Start.AddSeconds(9), Input = "\"hello again\"",
            Output = "\"bye\"", Status = "error", Tags = ["eu"], Metadata = """{"b":2}""",
        };

        var merged = DocumentMerge.Merge(FullTrace, incoming);

        Assert.Equal(
            ("turn 2", "u2", Start.AddSeconds(-1), (DateTimeOffset?)Start.AddSeconds(9), "\"hello again\"", "\"bye\"", "error"),
            (merged.Name, merged.UserId, merged.StartedAt, merged.EndedAt, merged.Input, merged.Output, merged.Status));
        Assert.Equal(["prod", "eu"], merged.Tags);
        Assert.Equal("""{"a":1,"b":2}""", merged.Metadata);
    }

    [Fact]
    public void A_trace_stored_without_tags_or_metadata_takes_the_resends()
    {
        var merged = DocumentMerge.Merge(BareTrace, FullTrace);

        Assert.Equal(["prod"], merged.Tags);
        Assert.Equal("""{"a":1}""", merged.Metadata);
        Assert.Equal("ok", merged.Status);
    }

    [Fact]
    public void A_trace_payload_moves_between_inline_and_Blob_as_a_whole()
    {
        var toBlob = DocumentMerge.Merge(FullTrace, BareTrace with { InputRef = NewBlob, OutputRef = NewBlob });
        var toInline = DocumentMerge.Merge(FullTrace with { Input = null, InputRef = StoredBlob, Output = null, OutputRef = StoredBlob }, BareTrace with { Input = "\"small\"", Output = "\"tiny\"" });
        var kept = DocumentMerge.Merge(FullTrace with { Input = null, InputRef = StoredBlob, Output = null, OutputRef = StoredBlob }, BareTrace);

        Assert.Equal((null, NewBlob, null, NewBlob), (toBlob.Input, toBlob.InputRef, toBlob.Output, toBlob.OutputRef));
        Assert.Equal(("\"small\"", null, "\"tiny\"", null), (toInline.Input, toInline.InputRef, toInline.Output, toInline.OutputRef));
        Assert.Equal((null, StoredBlob, null, StoredBlob), (kept.Input, kept.InputRef, kept.Output, kept.OutputRef));
    }

    [Fact]
    public void A_span_resent_without_its_optional_fields_keeps_every_stored_value()
    {
        var merged = DocumentMerge.Merge(FullSpan, BareSpan);

        Assert.Equal(
            ("root", "llm", "gpt-4o", "openai", "\"question\"", "\"answer\"", 100L, 20L),
            (merged.ParentId, merged.Kind, merged.Model, merged.Provider, merged.Input, merged.Output, merged.InputTokens, merged.OutputTokens));
        Assert.Equal(("ok", "slow", (DateTimeOffset?)Start.AddSeconds(2), """{"seed":7}"""), (merged.Status, merged.Error, merged.EndedAt, merged.Attributes));
    }

    [Fact]
    public void A_span_resent_with_new_values_takes_them()
    {
        var incoming = FullSpan with
        {
            ParentId = "other", Name = "chat 2", Kind = "tool", Model = "gpt-4o-mini", Provider = "azure", Input = "\"q2\"", Output = "\"a2\"",
            InputTokens = 5, OutputTokens = 6, Status = "error", Error = "boom", StartedAt = Start.AddSeconds(-1), EndedAt = Start.AddSeconds(4),
            Attributes = """{"top_p":1}""",
        };

        var merged = DocumentMerge.Merge(FullSpan, incoming);

        Assert.Equal(
            ("other", "chat 2", "tool", "gpt-4o-mini", "azure", "\"q2\"", "\"a2\"", 5L, 6L),
            (merged.ParentId, merged.Name, merged.Kind, merged.Model, merged.Provider, merged.Input, merged.Output, merged.InputTokens, merged.OutputTokens));
        Assert.Equal(("error", "boom", Start.AddSeconds(-1), (DateTimeOffset?)Start.AddSeconds(4)), (merged.Status, merged.Error, merged.StartedAt, merged.EndedAt));
        Assert.Equal("""{"seed":7,"top_p":1}""", merged.Attributes);
    }

    [Fact]
    public void A_span_payload_moves_between_inline_and_Blob_as_a_whole()
    {
        var toBlob = DocumentMerge.Merge(FullSpan, BareSpan with { InputRef = NewBlob, OutputRef = NewBlob });
        var toInline = DocumentMerge.Merge(FullSpan with { Input = null, InputRef = StoredBlob, Output = null, OutputRef = StoredBlob }, BareSpan with { Input = "\"small\"", Output = "\"tiny\"" });

        Assert.Equal((null, NewBlob, null, NewBlob), (toBlob.Input, toBlob.InputRef, toBlob.Output, toBlob.OutputRef));
        Assert.Equal(("\"small\"", null, "\"tiny\"", null), (toInline.Input, toInline.InputRef, toInline.Output, toInline.OutputRef));
    }

    [Fact]
    public void An_error_status_stays_whatever_a_resend_says()
    {
        Assert.Equal("error", DocumentMerge.Merge(FullSpan with { Status = "error" }, FullSpan with { Status = "ok" }).Status);
        Assert.Equal("error", DocumentMerge.Merge(FullTrace with { Status = "error" }, BareTrace).Status);
        Assert.Equal("ok", DocumentMerge.Merge(BareSpan, FullSpan).Status);
    }

    [Fact]
    public void A_caller_cost_is_kept_until_a_resend_provides_another_and_an_estimate_never_survives_a_merge()
    {
        var provided = FullSpan with { Cost = 0.5, CostSource = CostSources.Provided };
        var estimated = FullSpan with { Cost = 0.1, CostSource = CostSources.Estimated };

        var keptProvided = DocumentMerge.Merge(provided, BareSpan);
        var newProvided = DocumentMerge.Merge(provided, BareSpan with { Cost = 0.7, CostSource = CostSources.Provided });
        var droppedEstimate = DocumentMerge.Merge(estimated, BareSpan);
        var providedOverEstimate = DocumentMerge.Merge(estimated, BareSpan with { Cost = 0.2, CostSource = CostSources.Provided });

        Assert.Equal((0.5, CostSources.Provided), (keptProvided.Cost, keptProvided.CostSource));
        Assert.Equal((0.7, CostSources.Provided), (newProvided.Cost, newProvided.CostSource));
        Assert.Equal(((double?)null, (string?)null), (droppedEstimate.Cost, droppedEstimate.CostSource));
        Assert.Equal((0.2, CostSources.Provided), (providedOverEstimate.Cost, providedOverEstimate.CostSource));
    }
}
