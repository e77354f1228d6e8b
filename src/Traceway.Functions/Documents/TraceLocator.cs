using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Caching.Memory;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Documents;

/// <summary>
/// The trace index: where each trace of a project lives (its session and partition), found by a point
/// read. Written when a trace or its first span is first seen. A trace first seen without a session may adopt one
/// later (<see cref="TryRecordMoveAsync"/>): the entry then names the session's partition and, until its documents
/// have moved there, the partition they move from (<see cref="TraceLocation.MovedFrom"/>). A settled session never
/// changes, so only such a location is trusted from the cache by readers.
/// </summary>
internal sealed class TraceLocator(TracewayStores stores, IMemoryCache cache, StoreRetry retry, Retention retention)
{
    private static readonly MemoryCacheEntryOptions CacheEntry = new() { SlidingExpiration = TimeSpan.FromMinutes(10) };

    // Another writer created the entry a moment ago; a read may briefly not see it yet.
    private static readonly RetryPolicy ReadAfterConflict = new(MaxAttempts: 3, Step: TimeSpan.FromMilliseconds(20));

    private static readonly RetryPolicy IndexRaces = new(MaxAttempts: 10, Step: TimeSpan.FromMilliseconds(10));

    /// <summary>The stored location, or null when the trace has never been seen; one that may still change is read afresh.</summary>
    public async Task<TraceLocation?> FindAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var id = DocumentKeys.TraceIndexId(projectId, traceId);
        if (cache.TryGetValue(id, out TraceLocation? cached) && cached is { IsSettled: true })
        {
            return cached;
        }

        return (await ReadAsync(projectId, traceId, cancellationToken)).Location;
    }

    /// <summary>The stored location and its ETag, read from the index (never the cache).</summary>
    public async Task<(TraceLocation? Location, string? ETag)> ReadAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var id = DocumentKeys.TraceIndexId(projectId, traceId);
        var (location, etag) = await stores.TraceIndex.ReadItemOrDefaultAsync<TraceLocation>(id, new PartitionKey(id), cancellationToken);
        if (location is not null)
        {
            cache.Set(id, location, CacheEntry);
        }

        return (location, etag);
    }

    /// <summary>Removes a trace's entry (its documents are gone), here and from this instance's cache.</summary>
    public async Task DeleteAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var id = DocumentKeys.TraceIndexId(projectId, traceId);
        cache.Remove(id);
        using var deleted = await stores.TraceIndex.DeleteItemStreamAsync(id, new PartitionKey(id), cancellationToken: cancellationToken);
        if (deleted.StatusCode != HttpStatusCode.NotFound)
        {
            deleted.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Forgets a cached location, so the next lookup reads (or writes) the index.</summary>
    public void Forget(string projectId, string traceId) => cache.Remove(DocumentKeys.TraceIndexId(projectId, traceId));

    /// <summary>
    /// The first step of an adoption: records in the index that the trace now lives in <paramref name="sessionId"/>'s
    /// partition and that its documents move there from their own partition. Returns the location now stored: the moving
    /// one, or the session another writer recorded first (the caller compares). Also reopens a settled move when a writer
    /// that still knew the old location has written there since (<paramref name="sessionId"/> is then the stored one).
    /// </summary>
    public Task<TraceLocation> TryRecordMoveAsync(string projectId, string traceId, string sessionId, CancellationToken cancellationToken) =>
        retry.RunAsync(IndexRaces, $"Trace index entry of {traceId}", async ct =>
        {
            var (stored, etag) = await ReadAsync(projectId, traceId, ct);
            if (stored is null || (stored.SessionId is not null && stored.SessionId != sessionId) || stored.MovedFrom is not null)
            {
                return stored is null ? Attempt<TraceLocation>.Again : Attempt<TraceLocation>.Done(stored);
            }

            var moving = stored with
            {
                SessionId = sessionId,
                Pk = DocumentKeys.SessionPartitionKey(projectId, sessionId),
                MovedFrom = DocumentKeys.PartitionKey(projectId, null, traceId),
            };
            return await TryReplaceAsync(moving, etag, ct) ? Attempt<TraceLocation>.Done(moving) : Attempt<TraceLocation>.Again;
        }, cancellationToken);

    /// <summary>The last step of an adoption: every document has moved, so the entry forgets where from. Another writer's reopened move is left to it.</summary>
    public async Task SettleAsync(TraceLocation moved, CancellationToken cancellationToken)
    {
        var (stored, etag) = await ReadAsync(moved.ProjectId, moved.TraceId, cancellationToken);
        if (stored is { MovedFrom: not null } && stored.Pk == moved.Pk && await TryReplaceAsync(stored with { MovedFrom = null }, etag, cancellationToken))
        {
            cache.Set(stored.Id, stored with { MovedFrom = null }, CacheEntry);
        }
    }

    private async Task<bool> TryReplaceAsync(TraceLocation location, string? etag, CancellationToken cancellationToken)
    {
        using var replaced = await stores.TraceIndex.ReplaceItemStreamAsync(
            Retention.Serialize(location, await retention.TtlSecondsAsync(location.ProjectId, cancellationToken)), location.Id, new PartitionKey(location.Id),
            new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken);
        if (replaced.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return false;
        }

        replaced.EnsureSuccessStatusCode();
        cache.Set(location.Id, location, CacheEntry);
        return true;
    }

    /// <summary>
    /// Records the trace under <paramref name="sessionId"/> unless it is already known, and returns where it
    /// lives. The caller compares the session: a trace first seen in another session keeps that one.
    /// </summary>
    public async Task<TraceLocation> LocateOrCreateAsync(string projectId, string traceId, string? sessionId, CancellationToken cancellationToken)
    {
        var id = DocumentKeys.TraceIndexId(projectId, traceId);
        if (cache.TryGetValue(id, out TraceLocation? cached) && cached is not null)
        {
            return cached;
        }

        var location = new TraceLocation(id, projectId, traceId, sessionId, DocumentKeys.PartitionKey(projectId, sessionId, traceId));
        var conflicted = false;
        return await retry.RunAsync(ReadAfterConflict, $"Trace index entry {id}", async ct =>
        {
            if (!conflicted)
            {
                conflicted = !await TryCreateAsync(location, ct);
                if (!conflicted)
                {
                    cache.Set(id, location, CacheEntry);
                    return Attempt<TraceLocation>.Done(location);
                }
            }

            return await FindAsync(projectId, traceId, ct) is { } existing ? Attempt<TraceLocation>.Done(existing) : Attempt<TraceLocation>.Again;
        }, cancellationToken);
    }

    /// <summary>False when another writer created the entry first.</summary>
    private async Task<bool> TryCreateAsync(TraceLocation location, CancellationToken cancellationToken)
    {
        using var created = await stores.TraceIndex.CreateItemStreamAsync(
            Retention.Serialize(location, await retention.TtlSecondsAsync(location.ProjectId, cancellationToken)),
            new PartitionKey(location.Id),
            new ItemRequestOptions { EnableContentResponseOnWrite = false },
            cancellationToken);
        if (created.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        created.EnsureSuccessStatusCode();
        return true;
    }
}
