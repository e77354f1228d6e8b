namespace Traceway.Ingestion;

/// <summary>The body of 200 and 207 answers of <c>POST /api/ingest</c>.</summary>
internal sealed record IngestResponse(int Accepted, int Rejected, IReadOnlyList<IngestItemError>? Errors = null);

/// <summary>One item not stored: where it was in the request, its id, its status and what to fix.</summary>
internal sealed record IngestItemError(string Kind, int Index, int? SpanIndex, string? Id, int Status, string Detail, string? Field)
{
    public static IngestItemError From(ItemError error) =>
        new(error.Kind, error.Index, error.SpanIndex, error.Id, error.Status, error.Detail, error.Field);

    /// <summary>The item's path in the request, e.g. <c>traces[0].spans[2].inputTokens</c>.</summary>
    public string Path => (Kind, SpanIndex) switch
    {
        ("trace", _) => $"traces[{Index}]",
        (_, null) => $"spans[{Index}]",
        _ => $"traces[{Index}].spans[{SpanIndex}]",
    } + (string.IsNullOrEmpty(Field) ? "" : "." + Field);
}

/// <summary>What the whole request answers, from how many items it held and which were not stored.</summary>
internal enum IngestOutcome
{
    /// <summary>200: every item stored.</summary>
    AllStored,

    /// <summary>207: some stored, the listed ones not.</summary>
    PartlyStored,

    /// <summary>400 or 409: nothing stored, every item was refused for what it holds.</summary>
    NothingStoredInvalid,

    /// <summary>429: nothing stored because the store throttled.</summary>
    NothingStoredThrottled,

    /// <summary>503: nothing stored because the store did not answer.</summary>
    NothingStoredUnavailable,
}

internal static class IngestOutcomes
{
    public static IngestOutcome Decide(int itemCount, IReadOnlyList<ItemError> errors)
    {
        if (errors.Count == 0)
        {
            return IngestOutcome.AllStored;
        }

        if (errors.Count < itemCount)
        {
            return IngestOutcome.PartlyStored;
        }

        if (errors.All(e => e.Status == 503))
        {
            return errors.Any(e => e.Throttled) ? IngestOutcome.NothingStoredThrottled : IngestOutcome.NothingStoredUnavailable;
        }

        return errors.Any(e => e.Status == 503) ? IngestOutcome.PartlyStored : IngestOutcome.NothingStoredInvalid;
    }
}
