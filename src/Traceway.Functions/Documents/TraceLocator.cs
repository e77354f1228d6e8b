using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Caching.Memory;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Documents;

/// <summary>
/// The trace index: where each trace of a project lives (its session and partition), found by a point
/// read. Written when a trace or its first span is first seen; a trace's session never changes, so a
/// location once known is cached for good.
/// </summary>
internal sealed class TraceLocator(TracewayStores stores, IMemoryCache cache, StoreRetry retry)
{
    private static readonly MemoryCacheEntryOptions CacheEntry = new() { SlidingExpiration = TimeSpan.FromMinutes(10) };

    // Another writer created the entry a moment ago; a read may briefly not see it yet.
    private static readonly RetryPolicy ReadAfterConflict = new(MaxAttempts: 3, Step: TimeSpan.FromMilliseconds(20));

    /// <summary>The stored location, or null when the trace has never been seen.</summary>
    public async Task<TraceLocation?> FindAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var id = DocumentKeys.TraceIndexId(projectId, traceId);
        if (cache.TryGetValue(id, out TraceLocation? cached))
        {
            return cached;
        }

        var (location, _) = await stores.TraceIndex.ReadItemOrDefaultAsync<TraceLocation>(id, new PartitionKey(id), cancellationToken);
        if (location is not null)
        {
            cache.Set(id, location, CacheEntry);
        }

        return location;
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
            new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(location, TracewayJson.Options)),
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
