using System.Text.Json;
using System.Text.Json.Nodes;
using Traceway.Hosting;
using Traceway.Models;
using Traceway.Documents;

namespace Traceway.Ingestion;

/// <summary>
/// How a resent or updated item merges into what is stored (DESIGN.md §4): the newest value wins per
/// field, an absent field never erases a stored one, tags and metadata keys accumulate, and end state
/// is sticky (an <c>error</c> status stays). Merging the same item twice changes nothing.
/// </summary>
internal static class DocumentMerge
{
    public static TraceDocument Merge(TraceDocument stored, TraceDocument incoming) => stored with
    {
        Name = incoming.Name ?? stored.Name,
        UserId = incoming.UserId ?? stored.UserId,
        StartedAt = incoming.StartedAt,
        EndedAt = incoming.EndedAt ?? stored.EndedAt,
        Input = incoming.HasInput() ? incoming.Input : stored.Input,
        InputRef = incoming.HasInput() ? incoming.InputRef : stored.InputRef,
        Output = incoming.HasOutput() ? incoming.Output : stored.Output,
        OutputRef = incoming.HasOutput() ? incoming.OutputRef : stored.OutputRef,
        Status = StickyStatus(stored.Status, incoming.Status),
        Tags = Union(stored.Tags, incoming.Tags),
        Metadata = MergeObjects(stored.Metadata, incoming.Metadata),
    };

    public static SpanDocument Merge(SpanDocument stored, SpanDocument incoming)
    {
        var providedCost = incoming.CostSource == CostSources.Provided ? incoming.Cost
            : stored.CostSource == CostSources.Provided ? stored.Cost
            : null;
        return stored with
        {
            ParentId = incoming.ParentId ?? stored.ParentId,
            Name = incoming.Name,
            Kind = incoming.Kind ?? stored.Kind,
            Model = incoming.Model ?? stored.Model,
            Provider = incoming.Provider ?? stored.Provider,
            Input = incoming.HasInput() ? incoming.Input : stored.Input,
            InputRef = incoming.HasInput() ? incoming.InputRef : stored.InputRef,
            Output = incoming.HasOutput() ? incoming.Output : stored.Output,
            OutputRef = incoming.HasOutput() ? incoming.OutputRef : stored.OutputRef,
            InputTokens = incoming.InputTokens ?? stored.InputTokens,
            OutputTokens = incoming.OutputTokens ?? stored.OutputTokens,
            Cost = providedCost,
            CostSource = providedCost is null ? null : CostSources.Provided,
            Status = StickyStatus(stored.Status, incoming.Status),
            Error = incoming.Error ?? stored.Error,
            StartedAt = incoming.StartedAt,
            EndedAt = incoming.EndedAt ?? stored.EndedAt,
            Attributes = MergeObjects(stored.Attributes, incoming.Attributes),
        };
    }

    /// <summary>Fills in a cost from the model's list price when none was provided.</summary>
    public static SpanDocument WithEstimatedCost(this SpanDocument span, ModelCatalog catalog)
    {
        if (span.CostSource == CostSources.Provided)
        {
            return span;
        }

        var estimate = catalog.EstimateCost(span.Model, span.InputTokens, span.OutputTokens);
        return span with { Cost = estimate, CostSource = estimate is null ? null : CostSources.Estimated };
    }

    private static bool HasInput(this TraceDocument d) => d.Input is not null || d.InputRef is not null;

    private static bool HasOutput(this TraceDocument d) => d.Output is not null || d.OutputRef is not null;

    private static bool HasInput(this SpanDocument d) => d.Input is not null || d.InputRef is not null;

    private static bool HasOutput(this SpanDocument d) => d.Output is not null || d.OutputRef is not null;

    private static string? StickyStatus(string? stored, string? incoming) => stored == "error" ? stored : incoming ?? stored;

    private static IReadOnlyList<string>? Union(IReadOnlyList<string>? stored, IReadOnlyList<string>? incoming) =>
        incoming is null ? stored : stored is null ? incoming : [.. stored.Union(incoming, StringComparer.Ordinal)];

    /// <summary>Keys of both JSON objects, the incoming value winning for a key both have.</summary>
    private static string? MergeObjects(string? stored, string? incoming)
    {
        if (incoming is null || stored is null)
        {
            return incoming ?? stored;
        }

        var merged = JsonNode.Parse(stored, documentOptions: TracewayJson.DocumentOptions)!.AsObject();
        foreach (var (name, value) in JsonNode.Parse(incoming, documentOptions: TracewayJson.DocumentOptions)!.AsObject().ToList())
        {
            merged[name] = value?.DeepClone();
        }

        return merged.ToJsonString(TracewayJson.Options);
    }
}
