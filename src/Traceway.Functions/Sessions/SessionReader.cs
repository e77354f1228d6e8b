using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Traces;

namespace Traceway.Sessions;

/// <summary>Session queries: lists from the summaries container, one session's traces from its partition of <c>traces</c>.</summary>
internal sealed class SessionReader(TracewayStores stores, RollupStore rollups, TraceReader traces, PageCursor cursors)
{
    /// <summary>One page of the project's sessions matching the filter; an error when the cursor cannot be used.</summary>
    public async Task<(Page<SessionView>? Page, string? CursorError)> ListAsync(string projectId, SessionListQuery query, CancellationToken cancellationToken)
    {
        var (continuation, error) = cursors.Decode(query.Cursor, projectId, query.Scope);
        if (error is not null)
        {
            return (null, error);
        }

        var (items, next, failed) = await stores.Summaries.ReadPageAsync<SessionSummary>(query.ToQuery(projectId), continuation, query.Limit, null, cancellationToken);
        return failed
            ? (null, "cursor is not valid any more: start again without it.")
            : (new Page<SessionView>(items, cursors.Encode(projectId, query.Scope, next)), null);
    }

    /// <summary>Every session summary matching the filter, streamed (for statistics).</summary>
    public async IAsyncEnumerable<SessionSummary> StreamAsync(string projectId, SessionFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var iterator = stores.Summaries.GetItemQueryIterator<SessionSummary>(filter.Where(projectId).Build(), requestOptions: new QueryRequestOptions { MaxItemCount = 1000 });
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

        return SessionMetrics.SummarizeSessionFromDocuments(projectId, pk, sessionId, await rollups.ReadPartitionMetricsAsync(pk, cancellationToken));
    }

    /// <summary>A page of the session's traces in start order, each with its spans and complete payloads.</summary>
    public async Task<(Page<TraceView>? Page, string? CursorError)> TracesAsync(string projectId, string sessionId, SessionPageQuery paging, CancellationToken cancellationToken)
    {
        var scope = SessionPageQuery.Scope(sessionId);
        var (continuation, error) = cursors.Decode(paging.Cursor, projectId, scope);
        if (error is not null)
        {
            return (null, error);
        }

        var pk = DocumentKeys.SessionPartitionKey(projectId, sessionId);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = 'trace' ORDER BY c.startedAt ASC, c.id ASC");
        var (page, next, failed) = await stores.Traces.ReadPageAsync<TraceDocument>(query, continuation, paging.Limit, pk, cancellationToken);
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

        return (new Page<TraceView>(views, cursors.Encode(projectId, scope, next)), null);
    }
}
