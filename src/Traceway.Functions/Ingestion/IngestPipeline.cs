using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Traceway.Documents;
using Traceway.Storage;

namespace Traceway.Ingestion;

/// <summary>
/// Where every ingested item goes, whatever its format: a parser's <see cref="IngestBatch"/> comes in; each trace is
/// placed in its session's partition through the trace index (<see cref="TraceLocator"/>); each item becomes a
/// complete document; the <see cref="IngestWriter"/> stores them in parallel. An item counts as accepted only once
/// Cosmos DB has stored it; every other item is reported with why it was not stored.
/// </summary>
internal sealed partial class IngestPipeline(TraceLocator locator, IngestWriter writer, IOptions<IngestOptions> options, ILogger<IngestPipeline> logger)
{
    /// <summary>Stores the batch and returns the items that were not stored (the parser's rejections included).</summary>
    public async Task<IReadOnlyList<ItemError>> IngestAsync(string projectId, IngestBatch batch, CancellationToken cancellationToken)
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
            catch (Exception e) when (Failure(e) is { } failure)
            {
                failures.Add(write.Fail(failure));
            }
        });

        return [.. failures.OrderBy(f => f.Kind == "span" && f.SpanIndex is null ? 1 : 0).ThenBy(f => f.Index).ThenBy(f => f.SpanIndex ?? -1)];
    }

    /// <summary>Where each trace lives. A trace in the request states its session; a span alone follows its trace.</summary>
    private async Task<ConcurrentDictionary<string, Located>> LocateAsync(string projectId, IngestBatch batch, ParallelOptions parallel)
    {
        var locations = new ConcurrentDictionary<string, Located>(StringComparer.Ordinal);
        var declared = batch.Traces.ToDictionary(t => t.Trace.TraceId, t => t.Trace.SessionId, StringComparer.Ordinal);
        var spanSessions = batch.Spans.Where(s => !declared.ContainsKey(s.Span.TraceId))
            .GroupBy(s => s.Span.TraceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Span.SessionId).FirstOrDefault(s => s is not null), StringComparer.Ordinal);
        await Parallel.ForEachAsync(declared.Concat(spanSessions), parallel, async (trace, ct) =>
            locations[trace.Key] = await LocateAsync(projectId, trace.Key, trace.Value, declared.ContainsKey(trace.Key), ct));
        return locations;
    }

    private async Task<Located> LocateAsync(string projectId, string traceId, string? sessionId, bool sessionDeclared, CancellationToken cancellationToken)
    {
        try
        {
            var location = await locator.LocateOrCreateAsync(projectId, traceId, sessionId, cancellationToken);
            // A resend that leaves sessionId out keeps the stored session; naming another one is a conflict.
            return sessionDeclared && sessionId is not null && location.SessionId != sessionId
                ? new Located(null, StoreFailure.Conflict($"trace '{traceId}' is stored in session {Describe(location.SessionId)}, not {Describe(sessionId)}; a trace's session cannot change."))
                : new Located(location, null);
        }
        catch (Exception e) when (Failure(e) is { } failure)
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

    private static string Describe(string? session) => session is null ? "(none)" : $"'{session}'";

    /// <summary>What a failed store operation means for its item (<see cref="StoreErrors"/>); null for a bug, which must surface.</summary>
    private StoreFailure? Failure(Exception exception)
    {
        var fault = StoreErrors.Classify(exception);
        if (fault is StoreFault.Unavailable or StoreFault.Refused)
        {
            LogStoreFailure(logger, exception);
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
