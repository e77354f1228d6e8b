using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Rollups;
using Traceway.Storage;

namespace Traceway.Ingestion;

/// <summary>
/// A trace first seen without a session (its spans came first) adopts the session when an item names it: its documents
/// move from the trace's own partition to the session's. The trace index is the record of the move, so any writer
/// that meets it half-done finishes it:
/// <list type="number">
/// <item>the index entry says: session S, partition of S, moved from the trace's own partition (<see cref="TraceLocator.TryRecordMoveAsync"/>); from then on every new write goes to S;</item>
/// <item>each document of the old partition is written into S (merged under what is there, <see cref="IngestWriter.MoveAsync(TraceDocument, CancellationToken)"/>), then deleted from the old partition if unchanged since read;</item>
/// <item>the old partition's trace summary is recomputed (from nothing: it goes), by the same rollup that recomputes what changed;</item>
/// <item>the entry forgets where the trace moved from (<see cref="TraceLocator.SettleAsync"/>).</item>
/// </list>
/// Every step is idempotent, so a crash anywhere leaves a state the next writer (a resend) completes. Readers of a trace
/// whose entry still says "moved from" read the old partition first, then the new one, keeping one copy per document.
/// </summary>
internal sealed class SessionAdoption(TracewayStores stores, TraceLocator locator, IngestWriter writer, RollupHandler rollups, StoreRetry retry)
{
    // A writer that still knew the old location may write there while documents move; each pass sweeps what is there.
    private static readonly RetryPolicy Sweeps = new(MaxAttempts: 10, Step: TimeSpan.FromMilliseconds(10));

    /// <summary>
    /// Moves the trace of <paramref name="current"/> (no session yet, or a move half done) into <paramref name="sessionId"/>.
    /// Returns the stored location: in <paramref name="sessionId"/>, or in the other session that was recorded first.
    /// </summary>
    public async Task<TraceLocation> AdoptAsync(TraceLocation current, string sessionId, CancellationToken cancellationToken)
    {
        var location = await locator.TryRecordMoveAsync(current.ProjectId, current.TraceId, sessionId, cancellationToken);
        return location.SessionId == sessionId ? await CompleteAsync(location, cancellationToken) : location;
    }

    /// <summary>Finishes a recorded move (the entry names where from); returns the settled location.</summary>
    public async Task<TraceLocation> CompleteAsync(TraceLocation moving, CancellationToken cancellationToken)
    {
        var from = moving.MovedFrom ?? DocumentKeys.PartitionKey(moving.ProjectId, null, moving.TraceId);
        await retry.RunAsync(Sweeps, $"Move of trace {moving.TraceId}", async ct => await SweepAsync(from, moving, ct) ? Attempt<bool>.Done(true) : Attempt<bool>.Again, cancellationToken);
        await rollups.RollUpAsync([new AffectedTrace(moving.ProjectId, from, moving.TraceId, null)], cancellationToken);
        await locator.SettleAsync(moving, cancellationToken);
        return moving with { MovedFrom = null };
    }

    /// <summary>
    /// After writing into a trace's own partition: when the trace has adopted a session meanwhile (another request, another
    /// instance), what was just written is moved after it. One index read per trace without a session, per request.
    /// </summary>
    public async Task FollowAsync(TraceLocation written, CancellationToken cancellationToken)
    {
        var (stored, _) = await locator.ReadAsync(written.ProjectId, written.TraceId, cancellationToken);
        if (stored is { SessionId: { } sessionId })
        {
            // Reopen the move first, so that a failure from here on leaves a move the next writer finishes and readers see.
            var moving = stored.MovedFrom is null ? await locator.TryRecordMoveAsync(stored.ProjectId, stored.TraceId, sessionId, cancellationToken) : stored;
            await CompleteAsync(moving, cancellationToken);
        }
    }

    /// <summary>Moves every document of the old partition; false when one changed under us (read again).</summary>
    private async Task<bool> SweepAsync(string from, TraceLocation to, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.traceId = @traceId").WithParameter("@traceId", to.TraceId);
        var (documents, _, _) = await stores.Traces.ReadPageAsync<JsonElement>(query, null, int.MaxValue, from, cancellationToken);
        var swept = true;
        foreach (var document in documents)
        {
            var type = document.TryGetProperty("type", out var t) ? t.GetString() : null;
            var id = document.GetProperty("id").GetString()!;
            if (type == TraceDocument.DocumentType)
            {
                var trace = document.Deserialize<TraceDocument>(TracewayJson.Options)!;
                await writer.MoveAsync(trace with { Pk = to.Pk, SessionId = to.SessionId }, cancellationToken);
            }
            else if (type == SpanDocument.DocumentType)
            {
                var span = document.Deserialize<SpanDocument>(TracewayJson.Options)!;
                await writer.MoveAsync(span with { Pk = to.Pk, SessionId = to.SessionId }, cancellationToken);
            }
            else
            {
                continue;
            }

            using var deleted = await stores.Traces.DeleteItemStreamAsync(
                id, new PartitionKey(from), new ItemRequestOptions { IfMatchEtag = document.GetProperty("_etag").GetString() }, cancellationToken);
            if (deleted.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                swept = false;
            }
            else if (deleted.StatusCode != HttpStatusCode.NotFound)
            {
                deleted.EnsureSuccessStatusCode();
            }
        }

        return swept;
    }
}
