using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Traceway.Documents;
using Traceway.Storage;
using Traceway.Telemetry;

namespace Traceway.Ingestion;

/// <summary>
/// Where every ingested item goes, whatever its format: a parser's <see cref="IngestBatch"/> comes in; each trace is
/// placed in its session's partition through the trace index (<see cref="TraceLocator"/>); each item becomes a
/// complete document; the <see cref="IngestWriter"/> stores them in parallel. An item counts as accepted only once
/// Cosmos DB has stored it; every other item is reported with why it was not stored.
/// </summary>
internal sealed partial class IngestPipeline(
    TraceLocator locator, IngestWriter writer, SessionAdoption adoption, TracewayTelemetry telemetry, IOptions<IngestOptions> options, ILogger<IngestPipeline> logger)
{
    /// <summary>Stores the batch and returns the items that were not stored (the parser's rejections included).</summary>
    public async Task<IReadOnlyList<ItemError>> IngestAsync(string projectId, IngestBatch batch, CancellationToken cancellationToken)
    {
        using var activity = TracewayTelemetry.Activities.StartActivity("ingest");
        activity?.SetTag("traceway.project", projectId);
        activity?.SetTag("traceway.ingest.format", batch.Format);
        activity?.SetTag("traceway.ingest.items", batch.ItemCount);
        var started = Stopwatch.GetTimestamp();
        var errors = await StoreAsync(projectId, batch, cancellationToken);
        activity?.SetTag("traceway.ingest.rejected", errors.Count);
        telemetry.Ingested(projectId, batch.Format, batch.ItemCount, errors, Stopwatch.GetElapsedTime(started));
        return errors;
    }

    private async Task<IReadOnlyList<ItemError>> StoreAsync(string projectId, IngestBatch batch, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentBag<ItemError>(batch.Rejected);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelWrites, CancellationToken = cancellationToken };
        var locations = await LocateAsync(projectId, batch, parallel);
        var writes = Documents(batch, locations, failures);
        await Parallel.ForEachAsync(writes, parallel, async (write, ct) =>
        {
            try
            {
                await write.Store(ct);
            }
            catch (Exception e) when (Failure(e, projectId) is { } failure)
            {
                failures.Add(write.Fail(failure));
            }
        });

        // A trace written into its own partition may have adopted a session meanwhile (another request): move what was written after it.
        await Parallel.ForEachAsync(locations.Where(l => l.Value.Location is { SessionId: null }), parallel, async (located, ct) =>
        {
            try
            {
                await adoption.FollowAsync(located.Value.Location!, ct);
            }
            catch (Exception e) when (Failure(e, projectId) is { } failure)
            {
                // Stored, but not yet where it belongs: the move stays recorded and a resend finishes it.
                FailTrace(batch, located.Key, failure, failures);
            }
        });

        return [.. failures.OrderBy(f => f.Kind == "span" && f.SpanIndex is null ? 1 : 0).ThenBy(f => f.Index).ThenBy(f => f.SpanIndex ?? -1)];
    }

    /// <summary>
    /// Where each trace lives. The session of a trace is the first one the request states for it: on the trace, on one of
    /// its nested spans, or on a top-level span of it (the parser has refused any that contradicts it).
    /// </summary>
    private async Task<ConcurrentDictionary<string, Located>> LocateAsync(string projectId, IngestBatch batch, ParallelOptions parallel)
    {
        var locations = new ConcurrentDictionary<string, Located>(StringComparer.Ordinal);
        var topLevelSessions = batch.Spans.Where(s => s.Span.SessionId is not null)
            .GroupBy(s => s.Span.TraceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Span.SessionId, StringComparer.Ordinal);
        var declared = batch.Traces.ToDictionary(
            t => t.Trace.TraceId,
            t => t.Trace.SessionId ?? t.Spans.Select(s => s.Span.SessionId).FirstOrDefault(s => s is not null) ?? topLevelSessions.GetValueOrDefault(t.Trace.TraceId),
            StringComparer.Ordinal);
        var spanSessions = batch.Spans.Where(s => !declared.ContainsKey(s.Span.TraceId))
            .GroupBy(s => s.Span.TraceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => topLevelSessions.GetValueOrDefault(g.Key), StringComparer.Ordinal);
        await Parallel.ForEachAsync(declared.Concat(spanSessions), parallel, async (trace, ct) =>
            locations[trace.Key] = await LocateAsync(projectId, trace.Key, trace.Value, declared.ContainsKey(trace.Key), ct));
        return locations;
    }

    private async Task<Located> LocateAsync(string projectId, string traceId, string? sessionId, bool sessionDeclared, CancellationToken cancellationToken)
    {
        try
        {
            var location = await locator.LocateOrCreateAsync(projectId, traceId, sessionId, cancellationToken);
            if (sessionId is not null && location.SessionId is null)
            {
                // Its spans came first: the trace adopts the session now known (SessionAdoption). Costs only when it happens.
                location = await adoption.AdoptAsync(location, sessionId, cancellationToken);
            }
            else if (location.MovedFrom is not null)
            {
                // A move that a crash or a failure left half done: finish it before writing.
                location = await adoption.CompleteAsync(location, cancellationToken);
            }

            // A resend that leaves sessionId out keeps the stored session; naming another one is a conflict.
            return sessionDeclared && sessionId is not null && location.SessionId != sessionId
                ? new Located(null, StoreFailure.Conflict($"trace '{traceId}' is stored in session {Describe(location.SessionId)}, not {Describe(sessionId)}; a trace's session cannot change."))
                : new Located(location, null);
        }
        catch (Exception e) when (Failure(e, projectId) is { } failure)
        {
            return new Located(null, failure);
        }
    }

    /// <summary>The complete document of every located item, with how to report it if storing fails; the others fail here.</summary>
    private List<DocumentWrite> Documents(IngestBatch batch, ConcurrentDictionary<string, Located> locations, ConcurrentBag<ItemError> failures)
    {
        var writes = new List<DocumentWrite>(batch.ItemCount - batch.Rejected.Count);
        foreach (var entry in batch.Traces)
        {
            var (location, failure) = locations[entry.Trace.TraceId];
            if (location is null)
            {
                failures.Add(ItemError.For(entry, failure!));
                foreach (var span in entry.Spans)
                {
                    failures.Add(ItemError.For(span, failure!));
                }

                continue;
            }

            var trace = entry.Trace.ToDocument(location);
            writes.Add(new DocumentWrite(ct => writer.WriteAsync(trace, ct), f => ItemError.For(entry, f)));
            writes.AddRange(entry.Spans.Select(span => SpanWrite(span, location)));
        }

        foreach (var span in batch.Spans)
        {
            var (location, failure) = locations[span.Span.TraceId];
            if (location is null || (span.Span.SessionId is { } session && session != location.SessionId))
            {
                failures.Add(ItemError.For(span, failure ?? StoreFailure.Conflict(
                    $"sessionId '{span.Span.SessionId}' contradicts the stored session of trace '{span.Span.TraceId}' ({Describe(location?.SessionId)}); a trace's session cannot change.")));
                continue;
            }

            writes.Add(SpanWrite(span, location));
        }

        return writes;

        DocumentWrite SpanWrite(SpanEntry span, TraceLocation location)
        {
            var document = span.Span.ToDocument(location);
            return new DocumentWrite(ct => writer.WriteAsync(document, ct), f => ItemError.For(span, f));
        }
    }

    /// <summary>Reports every item of a trace as not stored (unless already reported).</summary>
    private static void FailTrace(IngestBatch batch, string traceId, StoreFailure failure, ConcurrentBag<ItemError> failures)
    {
        var reported = failures.Select(f => (f.Kind, f.Index, f.SpanIndex)).ToHashSet();
        var items = batch.Traces.Where(t => t.Trace.TraceId == traceId).SelectMany(t => t.Spans.Select(s => ItemError.For(s, failure)).Prepend(ItemError.For(t, failure)))
            .Concat(batch.Spans.Where(s => s.Span.TraceId == traceId).Select(s => ItemError.For(s, failure)));
        foreach (var item in items.Where(i => !reported.Contains((i.Kind, i.Index, i.SpanIndex))))
        {
            failures.Add(item);
        }
    }

    private static string Describe(string? session) => session is null ? "(none)" : $"'{session}'";

    /// <summary>What a failed store operation means for its item (<see cref="StoreErrors"/>); null for a bug, which must surface.</summary>
    private StoreFailure? Failure(Exception exception, string projectId)
    {
        var fault = StoreErrors.Classify(exception);
        if (fault is StoreFault.Unavailable or StoreFault.Refused)
        {
            LogStoreFailure(logger, exception);
        }
        else if (fault is StoreFault.Throttled)
        {
            telemetry.StoreThrottled("ingest", projectId);
        }

        return fault switch
        {
            StoreFault.TooLarge => new StoreFailure(400, "The item is too large to store: shrink its metadata or attributes."),
            StoreFault.Throttled => new StoreFailure(503, "Not stored: the store is throttling requests. Retry later.", Throttled: true),
            StoreFault.Unavailable => new StoreFailure(503, "Not stored: the store did not answer in time. Retry later."),
            StoreFault.Refused => new StoreFailure(503, "Not stored: the store refused the write; it has been logged. Retry later."),
            _ => null,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An ingested item was not stored")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception);

    /// <summary>A trace's location, or why it could not be found or recorded.</summary>
    private sealed record Located(TraceLocation? Location, StoreFailure? Failure);

    /// <summary>Stores one document; reports its item when that fails.</summary>
    private sealed record DocumentWrite(Func<CancellationToken, Task> Store, Func<StoreFailure, ItemError> Fail);
}
