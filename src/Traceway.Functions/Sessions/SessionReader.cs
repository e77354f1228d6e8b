using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Traces;

namespace Traceway.Sessions;

/// <summary>Session queries: lists from the summaries container, one session's traces from its partition of <c>traces</c>.</summary>
internal sealed class SessionReader(TracewayStores stores, RollupStore rollups, TraceReader traces)
{
    /// <summary>One page of the project's sessions matching the filter; an error when the cursor cannot be used.</summary>
    public async Task<(Page<SessionView>? Page, string? CursorError)> ListAsync(string projectId, SessionFilter filter, string? cursor, CancellationToken cancellationToken)
    {
        var (continuation, error) = PageCursor.Decode(cursor, projectId, filter.Scope);
        if (error is not null)
        {
            return (null, error);
        }

        var (items, next, failed) = await stores.Summaries.ReadPageAsync<SessionSummary>(filter.ToQuery(projectId), continuation, filter.Limit, null, cancellationToken);
        return failed
            ? (null, "cursor is not valid any more: start again without it.")
            : (new Page<SessionView>([.. items.Select(SessionView.From)], PageCursor.Encode(projectId, filter.Scope, next)), null);
    }

    /// <summary>Every session summary matching the filter, streamed (for statistics).</summary>
    public async IAsyncEnumerable<SessionSummary> StreamAsync(string projectId, SessionFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var iterator = stores.Summaries.GetItemQueryIterator<SessionSummary>(filter.ToQuery(projectId, sorted: false), requestOptions: new QueryRequestOptions { MaxItemCount = 1000 });
        while (iterator.HasMoreResults)
        {
            foreach (var summary in await iterator.ReadNextAsync(cancellationToken))
            {
                yield return summary;
            }
        }
    }

    /// <summary>The session's summary: as rolled up, or computed now from its documents when the rollup has not caught up yet.</summary>
    public async Task<SessionSummary?> FindSummaryAsync(string projectId, string sessionId, CancellationToken cancellationToken)
    {
        var pk = DocumentKeys.SessionPartitionKey(projectId, sessionId);
        var (stored, _) = await rollups.ReadSummaryAsync<SessionSummary>(pk, SessionSummary.DocumentId, cancellationToken);
        if (stored is not null)
        {
            return stored;
        }

        var documents = await rollups.ReadPartitionMetricsAsync(pk, cancellationToken);
        var traceSummaries = documents.GroupBy(d => d.TraceId, StringComparer.Ordinal)
            .Select(t => SessionMetrics.SummarizeTrace(projectId, pk, t.Key, [.. t]))
            .OfType<TraceSummary>()
            .ToList();
        return SessionMetrics.SummarizeSession(projectId, pk, sessionId, traceSummaries);
    }

    /// <summary>A page of the session's traces in start order, each with its spans and complete payloads.</summary>
    public async Task<(Page<TraceView>? Page, string? CursorError)> TracesAsync(string projectId, string sessionId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var scope = "session-traces|" + sessionId;
        var (continuation, error) = PageCursor.Decode(cursor, projectId, scope);
        if (error is not null)
        {
            return (null, error);
        }

        var pk = DocumentKeys.SessionPartitionKey(projectId, sessionId);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = 'trace' ORDER BY c.startedAt ASC, c.id ASC");
        var (page, next, failed) = await stores.Traces.ReadPageAsync<TraceDocument>(query, continuation, limit, pk, cancellationToken);
        if (failed)
        {
            return (null, "cursor is not valid any more: start again without it.");
        }

        var spanQuery = new QueryDefinition("SELECT * FROM c WHERE c.type = 'span' AND ARRAY_CONTAINS(@traceIds, c.traceId)")
            .WithParameter("@traceIds", page.Select(t => t.TraceId).ToArray());
        var (spans, _, _) = await stores.Traces.ReadPageAsync<SpanDocument>(spanQuery, null, int.MaxValue, pk, cancellationToken);
        var spansByTrace = spans.ToLookup(s => s.TraceId, StringComparer.Ordinal);
        var views = new List<TraceView>(page.Count);
        foreach (var trace in page)
        {
            views.Add(await traces.ToViewAsync(trace.TraceId, sessionId, trace, [.. spansByTrace[trace.TraceId]], cancellationToken));
        }

        return (new Page<TraceView>(views, PageCursor.Encode(projectId, scope, next)), null);
    }
}
