using System.Net;
using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Rollups;
using Traceway.Storage;

namespace Traceway.Deletion;

/// <summary>
/// Deletes a session or a trace with everything of it: trace and span documents, trace-index entries, trace and
/// session summaries, rollup ledgers and payload blobs no other document references. The order makes a resend
/// finish a deletion that stopped half way, and keeps the summaries equal to a rebuild from what is stored:
/// <list type="number">
/// <item>The documents go first; the change feed then no longer carries them.</item>
/// <item>Change feed batches already being rolled up in this instance may still carry them: they are waited for.</item>
/// <item>The rollup ledgers of the partition's affected traces and of its session are cleared, and the summaries of
/// traces without documents removed (under If-Match, so a summary rewritten meanwhile is left to its writer).</item>
/// <item>Whatever the partition still holds (the session's other traces, or items ingested during the deletion) is
/// rolled up again by <see cref="RollupHandler"/>, merging into the cleared ledgers; a session left without traces
/// loses its summary.</item>
/// <item>The trace-index entries of the deleted traces go last (found by a resend); the blobs after them.</item>
/// </list>
/// </summary>
internal sealed class TraceDeletion(TracewayStores stores, TraceLocator locator, RollupHandler rollups)
{
    private const int ParallelDeletes = 16;
    private const int BlobNamesPerQuery = 100;

    /// <summary>Deletes a session of the project; false when the project has nothing of that session.</summary>
    public async Task<bool> DeleteSessionAsync(string projectId, string sessionId, CancellationToken cancellationToken)
    {
        var pk = DocumentKeys.SessionPartitionKey(projectId, sessionId);
        var indexed = await QueryAsync<TraceLocation>(
            stores.TraceIndex,
            new QueryDefinition("SELECT * FROM c WHERE c.projectId = @projectId AND c.sessionId = @sessionId")
                .WithParameter("@projectId", projectId).WithParameter("@sessionId", sessionId),
            pk: null,
            cancellationToken);
        var documents = await ReadDocumentsAsync(pk, traceId: null, cancellationToken);
        var summaries = await ReadSummaryIdsAsync(pk, cancellationToken);
        if (indexed.Count == 0 && documents.Count == 0 && summaries.Count == 0)
        {
            return false;
        }

        var traceIds = indexed.Select(l => l.TraceId).Concat(documents.Select(d => d.TraceId)).ToHashSet(StringComparer.Ordinal);
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        await DeleteDocumentsAsync(pk, documents, blobs, cancellationToken);

        // A trace still moving into the session (adoption) has documents in its own partition too.
        foreach (var movedFrom in indexed.Select(l => l.MovedFrom).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            await DeleteDocumentsAsync(movedFrom, await ReadDocumentsAsync(movedFrom, traceId: null, cancellationToken), blobs, cancellationToken);
            await RecomputeAsync(projectId, movedFrom, sessionId: null, traceIds, cancellationToken);
        }

        await RecomputeAsync(projectId, pk, sessionId, traceIds, cancellationToken);
        await DeleteBlobsAsync(projectId, blobs, cancellationToken);
        return true;
    }

    /// <summary>Deletes a trace of the project; false when the project has no such trace.</summary>
    public async Task<bool> DeleteTraceAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var (location, _) = await locator.ReadAsync(projectId, traceId, cancellationToken);
        if (location is null)
        {
            return false;
        }

        await DeleteTracesAsync(projectId, [location], cancellationToken);
        return true;
    }

    /// <summary>Deletes located traces of the project, each partition's at once (its session recomputed once); returns what went.</summary>
    public async Task<DeletionCounts> DeleteTracesAsync(string projectId, IReadOnlyCollection<TraceLocation> traces, CancellationToken cancellationToken)
    {
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        var spans = 0;
        foreach (var moving in traces.Where(t => t.MovedFrom is not null))
        {
            await DeleteDocumentsAsync(moving.MovedFrom!, await ReadDocumentsAsync(moving.MovedFrom!, moving.TraceId, cancellationToken), blobs, cancellationToken);
            await RecomputeAsync(projectId, moving.MovedFrom!, sessionId: null, [moving.TraceId], cancellationToken);
        }

        foreach (var partition in traces.GroupBy(t => t.Pk, StringComparer.Ordinal))
        {
            var deleted = partition.Select(t => t.TraceId).ToHashSet(StringComparer.Ordinal);
            foreach (var traceId in deleted)
            {
                var documents = await ReadDocumentsAsync(partition.Key, traceId, cancellationToken);
                spans += documents.Count(d => d.Type == SpanDocument.DocumentType);
                await DeleteDocumentsAsync(partition.Key, documents, blobs, cancellationToken);
            }

            await RecomputeAsync(projectId, partition.Key, partition.First().SessionId, deleted, cancellationToken);
        }

        await DeleteBlobsAsync(projectId, blobs, cancellationToken);
        return new DeletionCounts(traces.Count, spans, traces.Select(t => t.SessionId).OfType<string>().Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>
    /// Steps 2–5 of the class remarks for one partition: <paramref name="deleted"/> are the traces whose documents were
    /// just removed from it; the summaries end as a rebuild from what the partition holds now would write them.
    /// </summary>
    private async Task RecomputeAsync(string projectId, string pk, string? sessionId, HashSet<string> deleted, CancellationToken cancellationToken)
    {
        await rollups.BatchesInFlightAsync();

        // Ledgers are cleared before the partition is read, so nothing written after that read is lost.
        var listed = await ReadSummaryIdsAsync(pk, cancellationToken);
        var ledgers = listed.Where(s => s.IsLedger && (s.TraceId is null ? sessionId is not null : deleted.Contains(s.TraceId))).ToList();
        await ForEachAsync(ledgers, (s, ct) => DeleteAsync(stores.Summaries, s.Id, pk, etag: null, ct), cancellationToken);

        var present = (await QueryAsync<string>(stores.Traces, new QueryDefinition("SELECT DISTINCT VALUE c.traceId FROM c"), pk, cancellationToken))
            .ToHashSet(StringComparer.Ordinal);

        // Summaries of traces that are gone; one rewritten since it was listed belongs to a trace written meanwhile.
        var gone = listed.Where(s => !s.IsLedger && s.TraceId is { } t && deleted.Contains(t) && !present.Contains(t)).ToList();
        await ForEachAsync(gone, (s, ct) => DeleteAsync(stores.Summaries, s.Id, pk, s.ETag, ct), cancellationToken);
        await ForEachAsync(deleted.Where(t => !present.Contains(t)).ToList(), (t, ct) => new ValueTask(locator.DeleteAsync(projectId, t, ct)), cancellationToken);

        var remaining = sessionId is null ? present.Where(deleted.Contains).ToList() : [.. present];
        if (remaining.Count > 0)
        {
            // Items ingested during the deletion may have found a cached location whose index entry is gone.
            await ForEachAsync(remaining, async (t, ct) =>
            {
                locator.Forget(projectId, t);
                await locator.LocateOrCreateAsync(projectId, t, sessionId, ct);
            }, cancellationToken);
            await rollups.RollUpAsync([.. remaining.Select(t => new AffectedTrace(projectId, pk, t, sessionId))], complete: false, cancellationToken);
        }
        else if (sessionId is not null)
        {
            var (_, etag) = await stores.Summaries.ReadItemOrDefaultAsync<SessionSummary>(SessionSummary.DocumentId, new PartitionKey(pk), cancellationToken);
            await DeleteAsync(stores.Summaries, SessionSummary.DocumentId, pk, etag, cancellationToken);
        }
    }

    private async Task DeleteDocumentsAsync(string pk, IReadOnlyList<StoredDocument> documents, HashSet<string> blobs, CancellationToken cancellationToken)
    {
        foreach (var document in documents)
        {
            blobs.UnionWith(new[] { document.InputRef?.Blob, document.OutputRef?.Blob }.OfType<string>());
        }

        await ForEachAsync(documents, (d, ct) => DeleteAsync(stores.Traces, d.Id, pk, etag: null, ct), cancellationToken);
    }

    /// <summary>
    /// Blobs are named by content, so one may be shared with a trace that stays: only unreferenced ones go, each under
    /// If-Match of the ETag read before the reference query, since an ingest that reuses the blob changes its ETag
    /// after writing its reference (<see cref="PayloadStore.ConfirmAsync"/>).
    /// </summary>
    private async Task DeleteBlobsAsync(string projectId, IReadOnlyCollection<string> blobs, CancellationToken cancellationToken)
    {
        foreach (var names in blobs.Chunk(BlobNamesPerQuery))
        {
            // ETags first: an ingest that writes a reference after the query below changes the ETag afterwards.
            var etags = new Dictionary<string, ETag>(StringComparer.Ordinal);
            await ForEachAsync(names, async (name, ct) =>
            {
                try
                {
                    var properties = await stores.Payloads.GetBlobClient(name).GetPropertiesAsync(cancellationToken: ct);
                    lock (etags)
                    {
                        etags[name] = properties.Value.ETag;
                    }
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                }
            }, cancellationToken);
            var query = new QueryDefinition(
                "SELECT c.inputRef.blob AS input, c.outputRef.blob AS output FROM c WHERE c.projectId = @projectId"
                + " AND (ARRAY_CONTAINS(@names, c.inputRef.blob) OR ARRAY_CONTAINS(@names, c.outputRef.blob))")
                .WithParameter("@projectId", projectId).WithParameter("@names", names);
            var referenced = (await QueryAsync<BlobReferences>(stores.Traces, query, pk: null, cancellationToken))
                .SelectMany(r => new[] { r.Input, r.Output }).OfType<string>().ToHashSet(StringComparer.Ordinal);
            await ForEachAsync(etags.Where(e => !referenced.Contains(e.Key)).ToList(), async (blob, ct) =>
            {
                try
                {
                    await stores.Payloads.GetBlobClient(blob.Key).DeleteAsync(conditions: new BlobRequestConditions { IfMatch = blob.Value }, cancellationToken: ct);
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412)
                {
                }
            }, cancellationToken);
        }
    }

    private Task<List<StoredDocument>> ReadDocumentsAsync(string pk, string? traceId, CancellationToken cancellationToken)
    {
        const string Projection = "SELECT c.id, c.type, c.traceId, c.inputRef, c.outputRef FROM c";
        var query = traceId is null
            ? new QueryDefinition(Projection)
            : new QueryDefinition(Projection + " WHERE c.traceId = @traceId").WithParameter("@traceId", traceId);
        return QueryAsync<StoredDocument>(stores.Traces, query, pk, cancellationToken);
    }

    private async Task<List<StoredSummary>> ReadSummaryIdsAsync(string pk, CancellationToken cancellationToken) =>
        (await QueryAsync<SummaryId>(stores.Summaries, new QueryDefinition("SELECT c.id, c._etag FROM c"), pk, cancellationToken))
            .Select(s => StoredSummary.From(s.Id, s.ETag)).ToList();

    /// <summary>Deletes one item; with <paramref name="etag"/> only if unchanged since it was read. Gone or changed is not an error.</summary>
    private static async ValueTask DeleteAsync(Container container, string id, string pk, string? etag, CancellationToken cancellationToken)
    {
        using var response = await container.DeleteItemStreamAsync(id, new PartitionKey(pk), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed))
        {
            response.EnsureSuccessStatusCode();
        }
    }

    private static Task ForEachAsync<T>(IReadOnlyCollection<T> items, Func<T, CancellationToken, ValueTask> action, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = ParallelDeletes, CancellationToken = cancellationToken }, action);

    private static async Task<List<T>> QueryAsync<T>(Container container, QueryDefinition query, string? pk, CancellationToken cancellationToken)
    {
        var results = new List<T>();
        var options = new QueryRequestOptions { PartitionKey = pk is null ? null : new PartitionKey(pk) };
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: options);
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync(cancellationToken));
        }

        return results;
    }

    private sealed record StoredDocument(string Id, string? Type, string TraceId, PayloadReference? InputRef, PayloadReference? OutputRef);

    private sealed record BlobReferences(string? Input, string? Output);

    private sealed record SummaryId(string Id, [property: System.Text.Json.Serialization.JsonPropertyName("_etag")] string? ETag);

    /// <summary>
    /// An item of a partition of <c>summaries</c> and whose it is: a trace's summary <c>t:{trace}</c>, its ledger
    /// <c>lt:{trace}</c> and chunks <c>lt:{trace}:{generation}:{chunk}</c>; the session's summary and ledger otherwise.
    /// </summary>
    private sealed record StoredSummary(string Id, string? ETag, string? TraceId, bool IsLedger)
    {
        public static StoredSummary From(string id, string? etag)
        {
            var isLedger = id.StartsWith('l');
            var rest = isLedger ? id[1..] : id;
            var traceId = rest.StartsWith("t:", StringComparison.Ordinal) ? DocumentKeys.Decode(rest[2..].Split(':')[0]) : null;
            return new StoredSummary(id, etag, traceId, isLedger);
        }
    }
}

/// <summary>What a deletion removed: traces, their spans, and the sessions they were part of (recomputed or removed).</summary>
internal sealed record DeletionCounts(int Traces, int Spans, int Sessions);
