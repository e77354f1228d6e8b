using Microsoft.Extensions.Options;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Ingestion;
using Traceway.Models;

namespace Traceway.Tests.Ingestion;

/// <summary>The merge rules of DESIGN.md §4: how a resent or updated item merges into what is stored.</summary>
public sealed class DocumentMergeTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static readonly SpanDocument StoredSpan = new()
    {
        Id = "s:t:llm", Pk = "p:s:s", ProjectId = "p", TraceId = "t", SessionId = "s", SpanId = "llm", ParentId = "root",
        Name = "chat", Kind = "llm", Model = "gpt-4o", Provider = "openai", Input = "\"question\"", Output = "\"answer\"",
        InputTokens = 100, OutputTokens = 20, Status = "ok", Error = null, StartedAt = Start, EndedAt = Start.AddSeconds(2),
        Attributes = """{"temperature":0.2,"seed":7}""",
    };

    private static readonly TraceDocument StoredTrace = new()
    {
        Id = "t:t", Pk = "p:s:s", ProjectId = "p", TraceId = "t", SessionId = "s", Name = "turn", UserId = "u1", StartedAt = Start,
        EndedAt = Start.AddSeconds(3), Input = "\"hello\"", Status = "error", Tags = ["prod", "eu"], Metadata = """{"a":1}""",
    };

    [Fact]
    public void Merging_a_span_with_itself_changes_nothing()
    {
        var merged = DocumentMerge.Merge(StoredSpan, StoredSpan);

        Assert.True(TracewayJson.SameJson(StoredSpan, merged));
    }

    [Fact]
    public void Merging_a_trace_with_itself_changes_nothing()
    {
        var merged = DocumentMerge.Merge(StoredTrace, StoredTrace);

        Assert.True(TracewayJson.SameJson(StoredTrace, merged));
    }

    [Fact]
    public void A_provisional_trace_item_brings_only_its_user_and_tags_to_a_stored_trace()
    {
        var provisional = new TraceDocument { Id = "t:t", Pk = "p:s:s", ProjectId = "p", TraceId = "t", SessionId = "s", UserId = "u2", StartedAt = Start.AddSeconds(1), Tags = ["vip"], Provisional = true };

        var merged = DocumentMerge.Merge(StoredTrace, provisional);

        Assert.True(TracewayJson.SameJson(StoredTrace with { UserId = "u2", Tags = ["prod", "eu", "vip"] }, merged));
    }

    [Fact]
    public void A_root_completes_a_provisional_trace_and_provisional_items_keep_the_earliest_start()
    {
        var provisional = new TraceDocument { Id = "t:t", Pk = "p:s:s", ProjectId = "p", TraceId = "t", SessionId = "s", UserId = "u2", StartedAt = Start.AddSeconds(5), Tags = ["vip"], Provisional = true };

        var earlier = DocumentMerge.Merge(provisional, provisional with { UserId = null, Tags = null, StartedAt = Start.AddSeconds(4) });
        var completed = DocumentMerge.Merge(earlier, StoredTrace with { UserId = null, Tags = ["prod"] });

        Assert.Equal((Start.AddSeconds(4), "u2"), (earlier.StartedAt, earlier.UserId));
        Assert.Equal(((bool?)null, "turn", Start, "u2"), (completed.Provisional, completed.Name, completed.StartedAt, completed.UserId));
        Assert.Equal(["vip", "prod"], completed.Tags);
    }

    [Fact]
    public void An_update_that_leaves_fields_out_keeps_the_stored_values_of_those_fields()
    {
        var update = new SpanDocument { Id = StoredSpan.Id, Pk = StoredSpan.Pk, ProjectId = "p", TraceId = "t", SpanId = "llm", Name = "chat", StartedAt = Start };

        var merged = DocumentMerge.Merge(StoredSpan, update);

        Assert.Equal(
            ("root", "llm", "gpt-4o", "openai", "\"question\"", "\"answer\"", 100L, 20L, "ok", Start.AddSeconds(2), """{"temperature":0.2,"seed":7}"""),
            (merged.ParentId, merged.Kind, merged.Model, merged.Provider, merged.Input, merged.Output, merged.InputTokens, merged.OutputTokens, merged.Status, merged.EndedAt, merged.Attributes));
    }

    [Fact]
    public void The_newest_value_wins_for_each_field_an_update_states()
    {
        var update = StoredSpan with { Name = "chat-2", Model = "gpt-4o-mini", Output = "\"better\"", OutputTokens = 35, EndedAt = Start.AddSeconds(5) };

        var merged = DocumentMerge.Merge(StoredSpan, update);

        Assert.Equal(("chat-2", "gpt-4o-mini", "\"better\"", 35L, Start.AddSeconds(5)), (merged.Name, merged.Model, merged.Output, merged.OutputTokens, merged.EndedAt));
    }

    [Fact]
    public void A_later_start_without_an_end_never_puts_the_end_before_the_start_the_stored_interval_stays()
    {
        var trace = DocumentMerge.Merge(StoredTrace, StoredTrace with { StartedAt = Start.AddSeconds(10), EndedAt = null });
        var span = DocumentMerge.Merge(StoredSpan, StoredSpan with { StartedAt = Start.AddSeconds(10), EndedAt = null });

        Assert.Equal((Start, Start.AddSeconds(3)), (trace.StartedAt, trace.EndedAt));
        Assert.Equal((Start, Start.AddSeconds(2)), (span.StartedAt, span.EndedAt));
    }

    [Fact]
    public void A_later_start_within_the_stored_interval_or_with_its_own_end_wins()
    {
        Assert.Equal(Start.AddSeconds(1), DocumentMerge.Merge(StoredTrace, StoredTrace with { StartedAt = Start.AddSeconds(1), EndedAt = null }).StartedAt);
        var moved = DocumentMerge.Merge(StoredSpan, StoredSpan with { StartedAt = Start.AddSeconds(10), EndedAt = Start.AddSeconds(12) });
        Assert.Equal((Start.AddSeconds(10), Start.AddSeconds(12)), (moved.StartedAt, moved.EndedAt));
    }

    [Fact]
    public void A_stored_document_whose_end_is_already_before_its_start_is_repaired_by_the_next_merge()
    {
        var broken = StoredSpan with { StartedAt = Start.AddSeconds(10), EndedAt = Start.AddSeconds(5) };

        var merged = DocumentMerge.Merge(broken, broken with { StartedAt = Start.AddSeconds(20), EndedAt = null });

        Assert.True(merged.EndedAt >= merged.StartedAt);
    }

    [Fact]
    public void Metadata_and_attributes_stored_with_a_repeated_key_still_merge_the_last_value_winning()
    {
        var trace = DocumentMerge.Merge(StoredTrace with { Metadata = """{"k":1,"k":2,"a":[{"x":1}]}""" }, StoredTrace with { Metadata = """{"b":3}""" });
        var span = DocumentMerge.Merge(StoredSpan with { Attributes = """{"k":1,"k":2}""" }, StoredSpan with { Attributes = """{"k":3}""" });

        Assert.Equal("""{"k":2,"a":[{"x":1}],"b":3}""", trace.Metadata);
        Assert.Equal("""{"k":3}""", span.Attributes);
    }

    [Fact]
    public void An_error_status_stays_when_a_later_update_says_ok()
    {
        var merged = DocumentMerge.Merge(StoredTrace, StoredTrace with { Status = "ok" });

        Assert.Equal("error", merged.Status);
    }

    [Fact]
    public void Tags_accumulate_and_metadata_keys_merge_with_the_update_winning_a_shared_key()
    {
        var merged = DocumentMerge.Merge(StoredTrace, StoredTrace with { Tags = ["eu", "beta"], Metadata = """{"a":2,"b":true}""" });

        Assert.Equal(["prod", "eu", "beta"], merged.Tags);
        Assert.Equal("""{"a":2,"b":true}""", merged.Metadata);
    }

    [Fact]
    public void An_input_moved_to_blob_storage_replaces_the_stored_inline_input()
    {
        var reference = new PayloadReference("p/abc.json", 70_000, "{\"messages\":");

        var merged = DocumentMerge.Merge(StoredSpan, StoredSpan with { Input = null, InputRef = reference });

        Assert.Equal(((string?)null, reference), (merged.Input, merged.InputRef));
    }

    [Fact]
    public void A_provided_cost_is_kept_over_a_later_estimate_and_an_estimate_follows_the_tokens()
    {
        var catalog = new ModelCatalog(Options.Create(new ModelCatalogOptions { Models = new() { ["house-model"] = new ModelInfo { InputPerMillion = 2, OutputPerMillion = 10 } } }));
        var estimated = (StoredSpan with { Model = "house-model", InputTokens = 1000, OutputTokens = 500 }).WithEstimatedCost(catalog);
        var provided = StoredSpan with { Cost = 0.5, CostSource = CostSources.Provided };

        var keptProvided = DocumentMerge.Merge(provided, estimated).WithEstimatedCost(catalog);

        // 1000 × $2 + 500 × $10 per million tokens.
        Assert.Equal((0.007, CostSources.Estimated), (estimated.Cost, estimated.CostSource));
        Assert.Equal((0.5, CostSources.Provided), (keptProvided.Cost, keptProvided.CostSource));
    }
}
