using System.Collections.Concurrent;
using System.Text.Json;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Rollups;

/// <summary>
/// Keeps trace and session summaries right under the change feed's at-least-once, reorderable delivery, at a cost
/// proportional to what changed (DESIGN.md §5 as amended in the README's Rollups section): the change feed hands over
/// the full changed documents, so each changed span's contribution replaces its previous one, by span id, in its
/// trace's ledger (<see cref="LedgerStore{TEntry, TPartial}"/>), and the trace summary comes from the ledger's exact
/// partial aggregates; each changed trace summary likewise replaces its turn's contribution in its session's ledger.
/// No step reads all of a trace's documents or all of a session's turns. Per summary: read the summary's ETag first,
/// apply the changes to the ledger, compute, write only if changed under If-Match, and start that step again on a race.
/// Sessions of a batch are rolled up in parallel (bounded), each after its own traces only, so a large trace delays
/// nobody else's summaries. Summaries and ledgers live in another container, so writing them never feeds back.
/// </summary>
internal sealed partial class RollupHandler(RollupStore store, StoreRetry retry, ILogger<RollupHandler> logger)
{
    private static readonly RetryPolicy Recomputations = new(MaxAttempts: 20, Step: TimeSpan.FromMilliseconds(5));
    private const int Parallelism = 16;
    private const int TracesPerSession = 4;

    // Batches being rolled up in this instance: a deletion waits for them, since they may carry documents it removed.
    private readonly ConcurrentDictionary<Task, byte> _batchesInFlight = new();

    /// <summary>Rolls up a batch of changed documents of the <c>traces</c> container; returns how many summaries it wrote.</summary>
    public async Task<RollupResult> HandleAsync(IEnumerable<JsonElement> changedDocuments, CancellationToken cancellationToken)
    {
        var changes = changedDocuments.Select(DocumentChange.From).OfType<DocumentChange>();
        var batch = RollUpAsync(changes, complete: false, cancellationToken);
        _batchesInFlight.TryAdd(batch, 0);
        try
        {
            return await batch;
        }
        finally
        {
            _batchesInFlight.TryRemove(batch, out _);
        }
    }

    /// <summary>
    /// Completes when every change feed batch this instance is rolling up now has finished (failed ones included):
    /// documents deleted before this call are no longer in the feed, so no batch after it carries them.
    /// </summary>
    public async Task BatchesInFlightAsync()
    {
        var running = _batchesInFlight.Keys.ToArray();
        await Task.WhenAll(running).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The rebuild: recomputes the summaries (and resets the ledgers) of the given traces and their sessions from every stored document.</summary>
    public Task<RollupResult> RollUpAsync(IReadOnlyCollection<AffectedTrace> traces, CancellationToken cancellationToken) =>
        RollUpAsync(traces, complete: true, cancellationToken);

    /// <summary>
    /// Recomputes the given traces and their sessions from every stored document. With <paramref name="complete"/> the
    /// ledgers are reset to exactly what was read (the rebuild); without, what was read is merged into them, which is
    /// exact for ledgers cleared beforehand and never drops a change the change feed applied meanwhile (a deletion).
    /// </summary>
    public async Task<RollupResult> RollUpAsync(IReadOnlyCollection<AffectedTrace> traces, bool complete, CancellationToken cancellationToken)
    {
        var changes = new List<DocumentChange>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(traces, options, async (trace, ct) =>
        {
            var read = (await store.ReadTraceChangesAsync(trace.Pk, trace.TraceId, ct)).Select(DocumentChange.From).OfType<DocumentChange>().ToList();
            lock (changes)
            {
                // A trace without any stored document still counts, so its stale summary is removed.
                changes.AddRange(read.Count > 0 ? read : [new DocumentChange(trace, null, null, null)]);
            }
        });
        return await RollUpAsync(changes, complete, cancellationToken);
    }

    private async Task<RollupResult> RollUpAsync(IEnumerable<DocumentChange> changes, bool complete, CancellationToken cancellationToken)
    {
        var partitions = changes.GroupBy(c => c.Trace.Pk, StringComparer.Ordinal).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        int traceCount = 0, sessionCount = 0, traceWrites = 0, sessionWrites = 0;
        await Parallel.ForEachAsync(partitions, options, async (partition, ct) =>
        {
            var turns = new Dictionary<string, TurnEntry>(StringComparer.Ordinal);
            var traces = partition.GroupBy(c => c.Trace.TraceId, StringComparer.Ordinal).ToList();
            Interlocked.Add(ref traceCount, traces.Count);
            await Parallel.ForEachAsync(traces, new ParallelOptions { MaxDegreeOfParallelism = TracesPerSession, CancellationToken = ct }, async (trace, ct2) =>
            {
                var (summary, rev, written) = await RollUpTraceAsync(trace.First().Trace, [.. trace], complete, ct2);
                if (written)
                {
                    Interlocked.Increment(ref traceWrites);
                }

                if (summary is not null)
                {
                    lock (turns)
                    {
                        turns[trace.Key] = TurnEntry.From(summary, rev);
                    }
                }
            });

            var first = partition.First().Trace;
            if (first.SessionId is not null)
            {
                Interlocked.Increment(ref sessionCount);
                if (await RollUpSessionAsync(first.ProjectId, first.Pk, first.SessionId, turns, complete, ct))
                {
                    Interlocked.Increment(ref sessionWrites);
                }
            }
        });

        LogRolledUp(logger, traceCount, sessionCount, traceWrites, sessionWrites);
        return new RollupResult(traceCount, sessionCount, traceWrites, sessionWrites);
    }

    private Task<(TraceSummary? Summary, long Rev, bool Written)> RollUpTraceAsync(AffectedTrace trace, IReadOnlyCollection<DocumentChange> changes, bool complete, CancellationToken cancellationToken)
    {
        // Of several versions of one document in a batch, the newest counts.
        var spans = new Dictionary<string, SpanEntry>(StringComparer.Ordinal);
        TraceEntry? traceDocument = null;
        foreach (var change in changes)
        {
            if (change.Span is { } span && LedgerLayout.Replaces(span, spans.GetValueOrDefault(change.SpanId!)))
            {
                spans[change.SpanId!] = span;
            }
            else if (change.TraceDocument is { } document && LedgerLayout.Replaces(document, traceDocument))
            {
                traceDocument = document;
            }
        }

        var id = DocumentKeys.TraceDocumentId(trace.TraceId);
        return retry.RunAsync(Recomputations, $"Summary {id} in {trace.Pk}", async ct =>
        {
            var (current, etag) = await store.ReadSummaryAsync<TraceSummary>(trace.Pk, id, ct);
            var ledger = await store.TraceLedgers.TryApplyAsync(trace.Pk, "l" + id, trace.ProjectId, spans, traceDocument, complete, ct);
            if (ledger is null)
            {
                return Attempt<(TraceSummary?, long, bool)>.Again;
            }

            var summary = SessionMetrics.SummarizeTrace(trace.ProjectId, trace.Pk, trace.TraceId, ledger.Trace?.Fields, ledger.Total);
            var outcome = await store.TryWriteAsync(current, etag, summary, trace.Pk, id, ct);
            return outcome == SummaryWrite.Raced ? Attempt<(TraceSummary?, long, bool)>.Again : Attempt<(TraceSummary?, long, bool)>.Done((summary, ledger.Rev, outcome == SummaryWrite.Written));
        }, cancellationToken);
    }

    private Task<bool> RollUpSessionAsync(string projectId, string pk, string sessionId, IReadOnlyDictionary<string, TurnEntry> turns, bool complete, CancellationToken cancellationToken) =>
        retry.RunAsync(Recomputations, $"Summary {SessionSummary.DocumentId} in {pk}", async ct =>
        {
            var (current, etag) = await store.ReadSummaryAsync<SessionSummary>(pk, SessionSummary.DocumentId, ct);
            var ledger = await store.SessionLedgers.TryApplyAsync(pk, "l:" + SessionSummary.DocumentId, projectId, turns, null, complete, ct);
            if (ledger is null)
            {
                return Attempt<bool>.Again;
            }

            var outcome = await store.TryWriteAsync(current, etag, SessionMetrics.SummarizeSession(projectId, pk, sessionId, ledger.Total), pk, SessionSummary.DocumentId, ct);
            return outcome == SummaryWrite.Raced ? Attempt<bool>.Again : Attempt<bool>.Done(outcome == SummaryWrite.Written);
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rolled up {Traces} traces and {Sessions} sessions: wrote {TraceWrites} trace and {SessionWrites} session summaries")]
    private static partial void LogRolledUp(ILogger logger, int traces, int sessions, int traceWrites, int sessionWrites);
}

/// <summary>How much a rollup looked at and wrote.</summary>
internal sealed record RollupResult(int Traces, int Sessions, int TraceSummariesWritten, int SessionSummariesWritten);

/// <summary>A trace whose documents changed, with where it lives.</summary>
internal sealed record AffectedTrace(string ProjectId, string Pk, string TraceId, string? SessionId);

/// <summary>A changed trace or span document as the change feed (or the rebuild's full read) delivers it: where it belongs and its contribution.</summary>
internal sealed record DocumentChange(AffectedTrace Trace, string? SpanId, SpanEntry? Span, TraceEntry? TraceDocument)
{
    /// <summary>Reads a changed trace or span document; null for anything else (other documents, malformed ones).</summary>
    public static DocumentChange? From(JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object
            || !TryString(document, "projectId", out var projectId)
            || !TryString(document, "pk", out var pk)
            || !TryString(document, "traceId", out var traceId)
            || !TryString(document, "type", out var type))
        {
            return null;
        }

        // The partition says whether the trace belongs to a session: {projectId}:s:{sessionId}.
        var sessionPrefix = DocumentKeys.SessionPartitionKey(projectId, "");
        var trace = new AffectedTrace(projectId, pk, traceId, pk.StartsWith(sessionPrefix, StringComparison.Ordinal) ? pk[sessionPrefix.Length..] : null);
        // _lsn orders the versions of a document: it grows with every write to the partition.
        var version = document.TryGetProperty("_lsn", out var lsn) && lsn.ValueKind == JsonValueKind.Number ? lsn.GetInt64() : 0;
        MetricFields? fields;
        try
        {
            fields = document.Deserialize<MetricFields>(TracewayJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }

        if (fields is null)
        {
            return null;
        }

        return type switch
        {
            SpanDocument.DocumentType when TryString(document, "spanId", out var spanId) => new DocumentChange(trace, spanId, SpanEntry.From(fields, version), null),
            Documents.TraceDocument.DocumentType => new DocumentChange(trace, null, null, new TraceEntry(version, fields)),
            _ => null,
        };
    }

    private static bool TryString(JsonElement document, string name, out string value)
    {
        value = document.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString()! : "";
        return value.Length > 0;
    }
}
