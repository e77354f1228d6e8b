using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Storage;

namespace Traceway.Traces;

/// <summary>Reads stored traces back: one partition, found through the trace index, payloads inlined from Blob storage.</summary>
internal sealed class TraceReader(TracewayStores stores, TraceLocator locator, PayloadStore payloads, PageCursor cursors)
{
    /// <summary>One page of the project's trace summaries matching the filter; an error when the cursor cannot be used.</summary>
    public async Task<(Page<TraceSummaryView>? Page, string? CursorError)> ListAsync(string projectId, TraceListQuery query, CancellationToken cancellationToken)
    {
        var (continuation, error) = cursors.Decode(query.Cursor, projectId, query.Scope);
        if (error is not null)
        {
            return (null, error);
        }

        var (items, next, failed) = await stores.Summaries.ReadPageAsync<TraceSummaryView>(query.ToQuery(projectId), continuation, query.Limit, query.PartitionKey(projectId), cancellationToken);
        return failed
            ? (null, "cursor is not valid any more: start again without it.")
            : (new Page<TraceSummaryView>(items, cursors.Encode(projectId, query.Scope, next)), null);
    }

    public async Task<TraceView?> FindAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        if (await locator.FindAsync(projectId, traceId, cancellationToken) is not { } location)
        {
            return null;
        }

        // Adopting a session (SessionAdoption): each document is created in the new partition before it leaves the old,
        // so reading the old partition first and the new one second sees each at least once; the new copy wins.
        var (oldTrace, oldSpans) = location.MovedFrom is { } movedFrom ? await ReadDocumentsAsync(movedFrom, traceId, cancellationToken) : (null, []);
        var (trace, spans) = await ReadDocumentsAsync(location.Pk, traceId, cancellationToken);
        if (location.MovedFrom is not null)
        {
            trace ??= oldTrace is null ? null : oldTrace with { Pk = location.Pk, SessionId = location.SessionId };
            spans = [.. spans, .. oldSpans.Where(old => !spans.Any(s => s.Id == old.Id))];
        }

        return trace is null && spans.Count == 0 ? null : await ToViewAsync(traceId, location.SessionId, trace, spans, cancellationToken);
    }

    private async Task<(TraceDocument? Trace, List<SpanDocument> Spans)> ReadDocumentsAsync(string pk, string traceId, CancellationToken cancellationToken)
    {
        var partitionKey = new PartitionKey(pk);
        var (trace, _) = await stores.Traces.ReadItemOrDefaultAsync<TraceDocument>(DocumentKeys.TraceDocumentId(traceId), partitionKey, cancellationToken);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = 'span' AND c.traceId = @traceId ORDER BY c.startedAt").WithParameter("@traceId", traceId);
        var spans = new List<SpanDocument>();
        using (var iterator = stores.Traces.GetItemQueryIterator<SpanDocument>(query, requestOptions: new QueryRequestOptions { PartitionKey = partitionKey }))
        {
            while (iterator.HasMoreResults)
            {
                spans.AddRange(await iterator.ReadNextAsync(cancellationToken));
            }
        }

        return (trace, spans);
    }

    /// <summary>A trace with its spans as the API shows it; spans ordered by start, payloads complete.</summary>
    public async Task<TraceView> ToViewAsync(string traceId, string? sessionId, TraceDocument? trace, IReadOnlyList<SpanDocument> spans, CancellationToken cancellationToken)
    {
        var spanViews = new List<SpanView>(spans.Count);
        foreach (var span in spans.OrderBy(s => s.StartedAt).ThenBy(s => s.SpanId, StringComparer.Ordinal))
        {
            spanViews.Add(await ToViewAsync(span, cancellationToken));
        }

        // Spans may arrive before their trace: the trace is then known only through them.
        return trace is null
            ? new TraceView(traceId, null, sessionId, null, spans.Min(s => s.StartedAt), null, null, null, Status(null, spans), [], null, spanViews)
            : new TraceView(
                trace.TraceId, trace.Name, trace.SessionId, trace.UserId, trace.StartedAt, trace.EndedAt,
                await PayloadAsync(trace.Input, trace.InputRef, cancellationToken),
                await PayloadAsync(trace.Output, trace.OutputRef, cancellationToken),
                Status(trace.Status, spans), trace.Tags ?? [], PayloadStore.Parse(trace.Metadata), spanViews);
    }

    private async Task<SpanView> ToViewAsync(SpanDocument span, CancellationToken cancellationToken) => new(
        span.SpanId, span.TraceId, span.ParentId, span.Name, span.Kind ?? "custom", span.Model, span.Provider,
        await PayloadAsync(span.Input, span.InputRef, cancellationToken),
        await PayloadAsync(span.Output, span.OutputRef, cancellationToken),
        span.InputTokens, span.OutputTokens, span.Cost, span.CostSource, span.Status ?? "ok", span.Error,
        span.StartedAt, span.EndedAt, PayloadStore.Parse(span.Attributes));

    private Task<JsonElement?> PayloadAsync(string? inline, PayloadReference? reference, CancellationToken cancellationToken) =>
        payloads.LoadAsync(inline, reference, cancellationToken);

    /// <summary>A trace failed when it says so or when any of its spans failed.</summary>
    private static string Status(string? traceStatus, IEnumerable<SpanDocument> spans) =>
        traceStatus == "error" || spans.Any(s => s.Status == "error") ? "error" : "ok";
}
