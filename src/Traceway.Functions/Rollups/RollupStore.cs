using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Hosting;
using Traceway.Storage;
using Traceway.Documents;

namespace Traceway.Rollups;

/// <summary>Reads the inputs of a rollup and writes summaries only when they changed, guarded by ETags.</summary>
internal sealed class RollupStore(TracewayStores stores, RollupCounters counters, Retention retention)
{
    private const string MetricProjection =
        "SELECT c.type, c.traceId, c.sessionId, c.name, c.userId, c.status, c.startedAt, c.endedAt, c.inputTokens, c.outputTokens, c.cost, c.model, c.tags FROM c";

    /// <summary>
    /// One trace's documents as a full read for the rebuild: the metric fields with the span id and the version
    /// (<c>_lsn</c>), shaped like the change feed's documents so both go through <see cref="DocumentChange.From"/>.
    /// </summary>
    public async Task<List<JsonElement>> ReadTraceChangesAsync(string pk, string traceId, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition(MetricProjection.Replace(" FROM c", ", c.projectId, c.pk, c.spanId, c._lsn FROM c", StringComparison.Ordinal) + " WHERE c.traceId = @traceId")
            .WithParameter("@traceId", traceId);
        var documents = await QueryAsync<JsonElement>(stores.Traces, query, pk, cancellationToken);
        counters.Read(documents.Count);
        return documents;
    }

    /// <summary>The metric fields of every trace and span document of a partition (a whole session).</summary>
    public Task<List<MetricFields>> ReadPartitionMetricsAsync(string pk, CancellationToken cancellationToken) =>
        QueryAsync<MetricFields>(stores.Traces, new QueryDefinition(MetricProjection + " WHERE c.type IN ('trace', 'span')"), pk, cancellationToken);

    public Task<(T? Summary, string? ETag)> ReadSummaryAsync<T>(string pk, string id, CancellationToken cancellationToken)
        where T : class
    {
        counters.Read(1);
        return stores.Summaries.ReadItemOrDefaultAsync<T>(id, new PartitionKey(pk), cancellationToken);
    }

    /// <summary>Trace ledgers: each span's contribution by span id, and the trace document's.</summary>
    public LedgerStore<SpanEntry, TracePartial> TraceLedgers { get; } =
        new(stores.Summaries, RollupMath.Aggregate, RollupMath.Combine, (a, b) => a.Same(b), counters, retention);

    /// <summary>Session ledgers: each turn's contribution (its trace summary) by trace id.</summary>
    public LedgerStore<TurnEntry, SessionPartial> SessionLedgers { get; } =
        new(stores.Summaries, RollupMath.Aggregate, RollupMath.Combine, (a, b) => a.Same(b), counters, retention);

    /// <summary>
    /// Writes the recomputed summary when it differs from the one read (ETag <paramref name="etag"/>). Raced when
    /// someone wrote in between, so the caller recomputes from fresh inputs.
    /// </summary>
    public async Task<SummaryWrite> TryWriteAsync<T>(T? current, string? etag, T? recomputed, string pk, string id, CancellationToken cancellationToken)
        where T : class
    {
        var partitionKey = new PartitionKey(pk);
        var options = new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false };
        ResponseMessage response;
        if (recomputed is null)
        {
            if (current is null)
            {
                return SummaryWrite.Unchanged;
            }

            response = await stores.Summaries.DeleteItemStreamAsync(id, partitionKey, options, cancellationToken);
        }
        else if (current is not null && TracewayJson.SameJson(current, recomputed))
        {
            return SummaryWrite.Unchanged;
        }
        else
        {
            var body = Retention.Serialize(recomputed, await retention.TtlSecondsForPartitionAsync(pk, cancellationToken));
            response = current is null
                ? await stores.Summaries.CreateItemStreamAsync(body, partitionKey, options, cancellationToken)
                : await stores.Summaries.ReplaceItemStreamAsync(body, id, partitionKey, options, cancellationToken);
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                return SummaryWrite.Raced;
            }

            response.EnsureSuccessStatusCode();
            return SummaryWrite.Written;
        }
    }

    private static async Task<List<T>> QueryAsync<T>(Container container, QueryDefinition query, string pk, CancellationToken cancellationToken)
    {
        var results = new List<T>();
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(pk) });
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync(cancellationToken));
        }

        return results;
    }
}

internal enum SummaryWrite
{
    Unchanged,
    Written,
    Raced,
}
