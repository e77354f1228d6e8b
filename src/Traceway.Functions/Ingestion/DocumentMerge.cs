using System.Text.Json;
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
    public static TraceDocument Merge(TraceDocument stored, TraceDocument incoming) => (stored.Provisional, incoming.Provisional) switch
    {
        // Spans before their root named a user or tags: they join what is stored, whose times (a root's, or the earliest seen) stay.
        (_, true) => stored with
        {
            UserId = incoming.UserId ?? stored.UserId,
            Tags = Union(stored.Tags, incoming.Tags),
            StartedAt = stored.Provisional == true && incoming.StartedAt < stored.StartedAt ? incoming.StartedAt : stored.StartedAt,
        },
        _ => Complete(stored, incoming),
    };

    /// <summary>A trace item as sent (by a client, or from an OTLP root span) over what is stored; a provisional stored one becomes complete.</summary>
    private static TraceDocument Complete(TraceDocument stored, TraceDocument incoming) => stored with
    {
        Provisional = null,
        Name = incoming.Name ?? stored.Name,
        UserId = incoming.UserId ?? stored.UserId,
        StartedAt = Start(stored.StartedAt, stored.EndedAt, incoming.StartedAt, incoming.EndedAt),
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
            StartedAt = Start(stored.StartedAt, stored.EndedAt, incoming.StartedAt, incoming.EndedAt),
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

    /// <summary>
    /// The merged start: the newest, unless that would put it after the merged end (an update that moves the start but
    /// does not resend the end). The end is end state and sticky, so then the stored start stays (or the end, if a document
    /// stored before this rule already had them the wrong way round): a merged item keeps endedAt ≥ startedAt, as ingest requires.
    /// </summary>
    private static DateTimeOffset Start(DateTimeOffset storedStart, DateTimeOffset? storedEnd, DateTimeOffset incomingStart, DateTimeOffset? incomingEnd) =>
        (incomingEnd ?? storedEnd) is { } end && incomingStart > end ? (storedStart <= end ? storedStart : end) : incomingStart;

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

        using var storedObject = JsonDocument.Parse(stored, TracewayJson.DocumentOptions);
        using var incomingObject = JsonDocument.Parse(incoming, TracewayJson.DocumentOptions);
        return CompactObject(storedObject.RootElement, incomingObject.RootElement);
    }

    /// <summary>
    /// The keys of the given objects in one compact object, a later value winning for a repeated key (also within one
    /// object: a document stored before repeated keys were refused still merges). Metadata and attributes are stored in
    /// this form from the start, so an identical resend never looks like a change.
    /// </summary>
    public static string CompactObject(params ReadOnlySpan<JsonElement> objects)
    {
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var value in objects)
        {
            foreach (var property in value.EnumerateObject())
            {
                properties[property.Name] = property.Value;
            }
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = TracewayJson.Options.Encoder, SkipValidation = true }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
