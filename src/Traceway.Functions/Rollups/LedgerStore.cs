using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Rollups;

/// <summary>What a ledger says after a change: the aggregate of all its entries, its trace document, its revision.</summary>
internal sealed record LedgerState<TPartial>(TPartial Total, TraceEntry? Trace, long Rev);

/// <summary>
/// Applies changes to a ledger (<see cref="LedgerHead{TEntry, TPartial}"/>) in Cosmos, one attempt at a time.
/// Every path ends with a write of the head under If-Match (or no write when nothing changed), and every head
/// write recomputes the partials of the chunks it touched from their content as read after the head: so a racing
/// writer's head write fails and it starts again from fresh reads, and a writer that stopped between a chunk write
/// and its head write has its batch delivered again, which recomputes that chunk's partial. A new layout (split)
/// writes chunks of a fresh generation, so chunks of a layout that lost its race are never read.
/// </summary>
internal sealed class LedgerStore<TEntry, TPartial>(
    Container summaries,
    Func<IEnumerable<TEntry>, TPartial> aggregate,
    Func<IEnumerable<TPartial>, TPartial> combine,
    Func<TPartial, TPartial, bool> same,
    RollupCounters counters,
    Retention retention)
    where TEntry : class, ILedgerEntry
    where TPartial : class
{
    /// <summary>
    /// One attempt: applies <paramref name="changes"/> (newest version wins), or with <paramref name="complete"/> makes
    /// the ledger hold exactly them. Null when it raced and must be tried again (from the summary read on).
    /// </summary>
    public async Task<LedgerState<TPartial>?> TryApplyAsync(
        string pk, string id, string projectId, IReadOnlyDictionary<string, TEntry> changes, TraceEntry? trace, bool complete, CancellationToken cancellationToken)
    {
        var partitionKey = new PartitionKey(pk);
        var (stored, etag) = await ReadAsync<LedgerHead<TEntry, TPartial>>(id, partitionKey, cancellationToken);
        var head = stored ?? new LedgerHead<TEntry, TPartial> { Id = id, Pk = pk, ProjectId = projectId, Entries = [] };
        var newTrace = complete ? Newer(trace, trace is null ? null : head.Trace) : Newer(head.Trace, trace);
        // The same version is the same content: comparing versions is enough.
        var traceChanged = newTrace?.V != head.Trace?.V || (newTrace is null) != (head.Trace is null);

        if (head.Depth < 0)
        {
            var entries = new Dictionary<string, TEntry>(head.Entries ?? [], StringComparer.Ordinal);
            var changed = complete ? LedgerLayout.Reset(entries, changes) : LedgerLayout.Merge(entries, changes);
            if (LedgerLayout.Outgrown(head.Depth, entries.Count))
            {
                return await RelayAsync(head, etag, entries, newTrace, partitionKey, cancellationToken);
            }

            if (!changed && !traceChanged)
            {
                return new LedgerState<TPartial>(aggregate(entries.Values), newTrace, head.Rev);
            }

            var written = Inline(head, entries, newTrace);
            return await TryWriteHeadAsync(written, etag, partitionKey, cancellationToken)
                ? new LedgerState<TPartial>(aggregate(entries.Values), newTrace, written.Rev)
                : null;
        }

        var partials = head.Partials!.ToArray();
        var touched = complete
            ? Enumerable.Range(0, partials.Length).ToList()
            : changes.Keys.Select(k => LedgerLayout.ChunkOf(k, head.Depth)).Distinct().ToList();
        var chunks = await Task.WhenAll(touched.Select(k => ReadAsync<LedgerChunk<TEntry>>(ChunkId(head, k), partitionKey, cancellationToken)));
        var contents = new Dictionary<int, Dictionary<string, TEntry>>();
        for (var i = 0; i < touched.Count; i++)
        {
            if (chunks[i].Item is null && CountOf(partials[touched[i]]) > 0)
            {
                // The head names a chunk that is gone: a racing split removed this layout. Start again.
                return null;
            }

            contents[touched[i]] = new Dictionary<string, TEntry>(chunks[i].Item?.Entries ?? [], StringComparer.Ordinal);
        }

        var changedChunks = new HashSet<int>();
        if (complete)
        {
            var all = contents.Values.SelectMany(c => c).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            if (LedgerLayout.Reset(all, changes))
            {
                return await RelayAsync(head, etag, all, newTrace, partitionKey, cancellationToken);
            }
        }
        else
        {
            foreach (var group in changes.GroupBy(c => LedgerLayout.ChunkOf(c.Key, head.Depth)))
            {
                if (LedgerLayout.Merge(contents[group.Key], group))
                {
                    changedChunks.Add(group.Key);
                }
            }
        }

        var count = head.Count + changedChunks.Sum(k => contents[k].Count - CountOf(partials[k]));
        if (LedgerLayout.Outgrown(head.Depth, count))
        {
            var all = new Dictionary<string, TEntry>(StringComparer.Ordinal);
            var rest = Enumerable.Range(0, partials.Length).Where(k => !contents.ContainsKey(k)).ToList();
            var others = await Task.WhenAll(rest.Select(k => ReadAsync<LedgerChunk<TEntry>>(ChunkId(head, k), partitionKey, cancellationToken)));
            foreach (var entry in contents.Values.Concat(others.Select(o => o.Item?.Entries ?? [])).SelectMany(c => c))
            {
                all[entry.Key] = entry.Value;
            }

            return await RelayAsync(head, etag, all, newTrace, partitionKey, cancellationToken);
        }

        var writes = await Task.WhenAll(changedChunks.Select(k =>
        {
            var chunk = new LedgerChunk<TEntry> { Id = ChunkId(head, k), Pk = head.Pk, Entries = contents[k] };
            var index = touched.IndexOf(k);
            return TryWriteAsync(chunk, chunks[index].ETag, chunks[index].Item is null, partitionKey, cancellationToken);
        }));
        if (writes.Any(w => !w))
        {
            return null;
        }

        var partialsChanged = false;
        foreach (var k in touched)
        {
            var partial = aggregate(contents[k].Values);
            if (!same(partial, partials[k]))
            {
                partials[k] = partial;
                partialsChanged = true;
            }
        }

        var rev = head.Rev;
        if (partialsChanged || traceChanged)
        {
            var updated = new LedgerHead<TEntry, TPartial>
            {
                Id = head.Id, Pk = head.Pk, ProjectId = head.ProjectId, Rev = NextRev(head), Depth = head.Depth, Gen = head.Gen,
                Count = partials.Sum(CountOf), Partials = partials, Trace = newTrace,
            };
            if (!await TryWriteHeadAsync(updated, etag, partitionKey, cancellationToken))
            {
                return null;
            }

            rev = updated.Rev;
        }

        return new LedgerState<TPartial>(combine(partials), newTrace, rev);
    }

    /// <summary>Number of entries a partial aggregates (spans of a trace chunk, turns of a session chunk).</summary>
    private static int CountOf(TPartial partial) => partial switch
    {
        TracePartial t => t.Spans,
        SessionPartial s => s.Traces,
        _ => throw new InvalidOperationException($"Unknown partial {typeof(TPartial)}"),
    };

    /// <summary>Writes the entries in the layout their number calls for (a fresh generation of chunks), then the head; old chunks go after.</summary>
    private async Task<LedgerState<TPartial>?> RelayAsync(
        LedgerHead<TEntry, TPartial> head, string? etag, Dictionary<string, TEntry> entries, TraceEntry? trace, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        var depth = LedgerLayout.DepthFor(entries.Count);
        LedgerHead<TEntry, TPartial> updated;
        var created = new List<string>();
        if (depth < 0)
        {
            updated = Inline(head, entries, trace);
        }
        else
        {
            var gen = Guid.NewGuid().ToString("N")[..8];
            var groups = entries.GroupBy(e => LedgerLayout.ChunkOf(e.Key, depth)).ToDictionary(g => g.Key, g => g.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
            var partials = new TPartial[1 << depth];
            for (var k = 0; k < partials.Length; k++)
            {
                partials[k] = aggregate(groups.GetValueOrDefault(k)?.Values ?? Enumerable.Empty<TEntry>());
            }

            updated = new LedgerHead<TEntry, TPartial>
            {
                Id = head.Id, Pk = head.Pk, ProjectId = head.ProjectId, Rev = NextRev(head), Depth = depth, Gen = gen, Count = entries.Count, Partials = partials, Trace = trace,
            };
            var chunks = groups.Select(g => new LedgerChunk<TEntry> { Id = ChunkId(updated, g.Key), Pk = head.Pk, Entries = g.Value }).ToList();
            created.AddRange(chunks.Select(c => c.Id));
            var writes = await Task.WhenAll(chunks.Select(c => TryWriteAsync(c, null, create: true, partitionKey, cancellationToken)));
            if (writes.Any(w => !w))
            {
                await DeleteQuietlyAsync(created, partitionKey);
                return null;
            }
        }

        if (!await TryWriteHeadAsync(updated, etag, partitionKey, cancellationToken))
        {
            await DeleteQuietlyAsync(created, partitionKey);
            return null;
        }

        if (head.Depth >= 0)
        {
            // Not awaited: nothing reads a replaced layout's chunks, so removing them need not delay this batch.
            _ = DeleteQuietlyAsync([.. Enumerable.Range(0, 1 << head.Depth).Select(k => ChunkId(head, k))], partitionKey);
        }

        return new LedgerState<TPartial>(aggregate(entries.Values), trace, updated.Rev);
    }

    private static LedgerHead<TEntry, TPartial> Inline(LedgerHead<TEntry, TPartial> head, Dictionary<string, TEntry> entries, TraceEntry? trace) => new()
    {
        Id = head.Id, Pk = head.Pk, ProjectId = head.ProjectId, Rev = NextRev(head), Depth = -1, Count = entries.Count, Entries = entries, Trace = trace,
    };

    /// <summary>Strictly above the last revision, and above any revision of an earlier head of the same id (time-based), should one be deleted and created again.</summary>
    private static long NextRev(LedgerHead<TEntry, TPartial> head) => Math.Max(head.Rev + 1, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1000);

    private static TraceEntry? Newer(TraceEntry? current, TraceEntry? candidate) =>
        candidate is not null && LedgerLayout.Replaces(candidate, current) ? candidate : current;

    private static string PartitionOf<T>(T document) => document switch
    {
        LedgerHead<TEntry, TPartial> h => h.Pk,
        LedgerChunk<TEntry> c => c.Pk,
        _ => throw new InvalidOperationException("not a ledger document"),
    };

    private static string ChunkId(LedgerHead<TEntry, TPartial> head, int k) => $"{head.Id}:{head.Gen}:{k}";

    private Task<bool> TryWriteHeadAsync(LedgerHead<TEntry, TPartial> head, string? etag, PartitionKey partitionKey, CancellationToken cancellationToken) =>
        TryWriteAsync(head, etag, etag is null, partitionKey, cancellationToken);

    private async Task<bool> TryWriteAsync<T>(T document, string? etag, bool create, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        var body = Retention.Serialize(document, await retention.TtlSecondsForPartitionAsync(PartitionOf(document), cancellationToken));
        var options = new ItemRequestOptions { IfMatchEtag = create ? null : etag, EnableContentResponseOnWrite = false };
        var id = document switch
        {
            LedgerHead<TEntry, TPartial> h => h.Id,
            LedgerChunk<TEntry> c => c.Id,
            _ => throw new InvalidOperationException("not a ledger document"),
        };
        using var response = create
            ? await summaries.CreateItemStreamAsync(body, partitionKey, options, cancellationToken)
            : await summaries.ReplaceItemStreamAsync(body, id, partitionKey, options, cancellationToken);
        counters.Wrote();
        if (response.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }

    private async Task<(T? Item, string? ETag)> ReadAsync<T>(string id, PartitionKey partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        counters.Read(1);
        return await summaries.ReadItemOrDefaultAsync<T>(id, partitionKey, cancellationToken);
    }

    /// <summary>Chunks no head names any more (a replaced layout, or one that lost its race): nobody reads them, so a failure here only leaves garbage.</summary>
    private async Task DeleteQuietlyAsync(IEnumerable<string> ids, PartitionKey partitionKey)
    {
        await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                using var _ = await summaries.DeleteItemStreamAsync(id, partitionKey);
            }
            catch (Exception e) when (e is CosmosException or HttpRequestException or OperationCanceledException)
            {
                // Left behind; unreferenced.
            }
        }));
    }
}

/// <summary>Documents this app's rollups read and wrote since start (summaries, ledgers, rebuild reads): what tests divide by the spans ingested.</summary>
internal sealed class RollupCounters
{
    private long _reads;
    private long _writes;

    public long Reads => Interlocked.Read(ref _reads);

    public long Writes => Interlocked.Read(ref _writes);

    public void Read(long documents) => Interlocked.Add(ref _reads, documents);

    public void Wrote() => Interlocked.Increment(ref _writes);
}
