using System.Text.Json;
using Traceway.Documents;
using Traceway.Storage;

namespace Traceway.Rollups;

/// <summary>
/// Keeps trace and session summaries right under the change feed's at-least-once, reorderable delivery
/// (DESIGN.md §5): for each trace and then each session a batch touches, read the summary's ETag first,
/// recompute from stored data, write only if changed under If-Match, and start that step again on a race.
/// Summaries live in another container, so writing them never feeds back into the change feed.
/// </summary>
internal sealed partial class RollupHandler(RollupStore store, StoreRetry retry, ILogger<RollupHandler> logger)
{
    private static readonly RetryPolicy Recomputations = new(MaxAttempts: 20, Step: TimeSpan.FromMilliseconds(5));
    private const int Parallelism = 16;

    /// <summary>Rolls up a batch of changed documents of the <c>traces</c> container; returns how many summaries it wrote.</summary>
    public async Task<RollupResult> HandleAsync(IEnumerable<JsonElement> changedDocuments, CancellationToken cancellationToken)
    {
        var traces = changedDocuments.Select(AffectedTrace.From).OfType<AffectedTrace>().Distinct().ToList();
        return await RollUpAsync(traces, cancellationToken);
    }

    /// <summary>Recomputes the summaries of the given traces and of their sessions.</summary>
    public async Task<RollupResult> RollUpAsync(IReadOnlyCollection<AffectedTrace> traces, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        var traceWrites = 0;
        await Parallel.ForEachAsync(traces, options, async (trace, ct) =>
        {
            if (await RollUpTraceAsync(trace, ct))
            {
                Interlocked.Increment(ref traceWrites);
            }
        });

        var sessions = traces.Where(t => t.SessionId is not null).Select(t => (t.ProjectId, t.Pk, SessionId: t.SessionId!)).Distinct().ToList();
        var sessionWrites = 0;
        await Parallel.ForEachAsync(sessions, options, async (session, ct) =>
        {
            if (await RollUpSessionAsync(session.ProjectId, session.Pk, session.SessionId, ct))
            {
                Interlocked.Increment(ref sessionWrites);
            }
        });

        LogRolledUp(logger, traces.Count, sessions.Count, traceWrites, sessionWrites);
        return new RollupResult(traces.Count, sessions.Count, traceWrites, sessionWrites);
    }

    private Task<bool> RollUpTraceAsync(AffectedTrace trace, CancellationToken cancellationToken) =>
        RecomputeAsync<TraceSummary>(trace.Pk, DocumentKeys.TraceDocumentId(trace.TraceId), async ct =>
            SessionMetrics.SummarizeTrace(trace.ProjectId, trace.Pk, trace.TraceId, await store.ReadTraceDocumentsAsync(trace.Pk, trace.TraceId, ct)),
            cancellationToken);

    private Task<bool> RollUpSessionAsync(string projectId, string pk, string sessionId, CancellationToken cancellationToken) =>
        RecomputeAsync<SessionSummary>(pk, SessionSummary.DocumentId, async ct =>
            SessionMetrics.SummarizeSession(projectId, pk, sessionId, await store.ReadTraceSummariesAsync(pk, ct)),
            cancellationToken);

    /// <summary>Reads the summary (and its ETag) before its inputs, so a stale computation can never overwrite a newer one.</summary>
    private Task<bool> RecomputeAsync<T>(string pk, string id, Func<CancellationToken, Task<T?>> recompute, CancellationToken cancellationToken)
        where T : class =>
        retry.RunAsync(Recomputations, $"Summary {id} in {pk}", async ct =>
        {
            var (current, etag) = await store.ReadSummaryAsync<T>(pk, id, ct);
            var recomputed = await recompute(ct);
            var outcome = await store.TryWriteAsync(current, etag, recomputed, pk, id, ct);
            return outcome == SummaryWrite.Raced ? Attempt<bool>.Again : Attempt<bool>.Done(outcome == SummaryWrite.Written);
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rolled up {Traces} traces and {Sessions} sessions: wrote {TraceWrites} trace and {SessionWrites} session summaries")]
    private static partial void LogRolledUp(ILogger logger, int traces, int sessions, int traceWrites, int sessionWrites);
}

/// <summary>How much a rollup looked at and wrote.</summary>
internal sealed record RollupResult(int Traces, int Sessions, int TraceSummariesWritten, int SessionSummariesWritten);

/// <summary>A trace whose documents changed, with where it lives.</summary>
internal sealed record AffectedTrace(string ProjectId, string Pk, string TraceId, string? SessionId)
{
    /// <summary>Reads a changed trace or span document; null for anything else (other documents, malformed ones).</summary>
    public static AffectedTrace? From(JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object
            || !TryString(document, "projectId", out var projectId)
            || !TryString(document, "pk", out var pk)
            || !TryString(document, "traceId", out var traceId))
        {
            return null;
        }

        // The partition says whether the trace belongs to a session: {projectId}:s:{sessionId}.
        var sessionPrefix = DocumentKeys.SessionPartitionKey(projectId, "");
        return new AffectedTrace(projectId, pk, traceId, pk.StartsWith(sessionPrefix, StringComparison.Ordinal) ? pk[sessionPrefix.Length..] : null);
    }

    private static bool TryString(JsonElement document, string name, out string value)
    {
        value = document.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString()! : "";
        return value.Length > 0;
    }
}
