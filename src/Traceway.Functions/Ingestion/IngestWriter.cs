using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using Traceway.Hosting;
using Traceway.Models;
using Traceway.Storage;
using Traceway.Traces;

namespace Traceway.Ingestion;

/// <summary>
/// Stores a validated batch: places each trace in its session's partition (through the trace index),
/// moves large payloads to Blob storage, then writes every document with point operations in
/// parallel. Create is the fast path; an existing document is merged with read–merge–replace under
/// If-Match. An item counts as accepted only once Cosmos DB has stored it.
/// </summary>
internal sealed partial class IngestWriter(
    TracewayStores stores,
    TraceLocator locator,
    PayloadStore payloads,
    ModelCatalog catalog,
    IOptions<IngestOptions> options,
    ILogger<IngestWriter> logger)
{
    private const int MaxMergeAttempts = 30;

    /// <summary>Writes the batch and returns the items that could not be stored (the parser's rejections included).</summary>
    public async Task<IReadOnlyList<ItemError>> WriteAsync(string projectId, IngestBatch batch, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentBag<ItemError>(batch.Rejected);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelWrites, CancellationToken = cancellationToken };

        // 1. Where each trace lives. A trace in the request states its session; a span alone follows its trace.
        var locations = new ConcurrentDictionary<string, (TraceLocation? Location, StoreFailure? Failure)>(StringComparer.Ordinal);
        var declared = batch.Traces.ToDictionary(t => t.Trace.TraceId, t => t.Trace.SessionId, StringComparer.Ordinal);
        var orphanSpanSessions = batch.Spans.Where(s => !declared.ContainsKey(s.Span.TraceId))
            .GroupBy(s => s.Span.TraceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Span.SessionId).FirstOrDefault(s => s is not null), StringComparer.Ordinal);
        await Parallel.ForEachAsync(declared.Concat(orphanSpanSessions), parallel, async (trace, ct) =>
            locations[trace.Key] = await LocateAsync(projectId, trace.Key, trace.Value, declared.ContainsKey(trace.Key), ct));

        // 2. The documents of every located item.
        var writes = new List<(Func<CancellationToken, Task> Write, Func<StoreFailure, ItemError> Fail)>();
        foreach (var entry in batch.Traces)
        {
            var (location, failure) = locations[entry.Trace.TraceId];
            if (location is null)
            {
                failures.Add(ItemError.For(entry, failure!));
                entry.Spans.ToList().ForEach(s => failures.Add(ItemError.For(s, failure!)));
                continue;
            }

            writes.Add((ct => WriteTraceAsync(entry.Trace with { Pk = location.Pk, SessionId = location.SessionId }, ct), f => ItemError.For(entry, f)));
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

        // 3. Write them all; each failure is reported for its own item only.
        await Parallel.ForEachAsync(writes, parallel, async (write, ct) =>
        {
            try
            {
                await write.Write(ct);
            }
            catch (Exception e) when (Classify(e) is { } failure)
            {
                failures.Add(write.Fail(failure));
            }
        });

        return [.. failures.OrderBy(f => f.Kind == "span" && f.SpanIndex is null ? 1 : 0).ThenBy(f => f.Index).ThenBy(f => f.SpanIndex ?? -1)];

        (Func<CancellationToken, Task>, Func<StoreFailure, ItemError>) SpanWrite(SpanEntry span, TraceLocation location) =>
            (ct => WriteSpanAsync(span.Span with { Pk = location.Pk, SessionId = location.SessionId }, ct), f => ItemError.For(span, f));
    }

    private async Task<(TraceLocation?, StoreFailure?)> LocateAsync(string projectId, string traceId, string? sessionId, bool sessionDeclared, CancellationToken cancellationToken)
    {
        try
        {
            var location = await locator.LocateOrCreateAsync(projectId, traceId, sessionId, cancellationToken);
            // A resend that leaves sessionId out keeps the stored session; naming another one is a conflict.
            if (sessionDeclared && sessionId is not null && location.SessionId != sessionId)
            {
                return (null, StoreFailure.Conflict($"trace '{traceId}' is stored in session {Describe(location.SessionId)}, not {Describe(sessionId)}; a trace's session cannot change."));
            }

            return (location, null);
        }
        catch (Exception e) when (Classify(e) is { } failure)
        {
            return (null, failure);
        }
    }

    private static string Describe(string? session) => session is null ? "(none)" : $"'{session}'";

    private async Task WriteTraceAsync(TraceDocument incoming, CancellationToken cancellationToken)
    {
        var (input, inputRef) = await payloads.StoreAsync(incoming.ProjectId, incoming.Input, cancellationToken);
        var (output, outputRef) = await payloads.StoreAsync(incoming.ProjectId, incoming.Output, cancellationToken);
        var document = incoming with { Input = input, InputRef = inputRef, Output = output, OutputRef = outputRef };
        await CreateOrMergeAsync(document, document.Id, document.Pk, DocumentMerge.Merge, cancellationToken);
    }

    private async Task WriteSpanAsync(SpanDocument incoming, CancellationToken cancellationToken)
    {
        var (input, inputRef) = await payloads.StoreAsync(incoming.ProjectId, incoming.Input, cancellationToken);
        var (output, outputRef) = await payloads.StoreAsync(incoming.ProjectId, incoming.Output, cancellationToken);
        var document = (incoming with { Input = input, InputRef = inputRef, Output = output, OutputRef = outputRef }).WithEstimatedCost(catalog);
        await CreateOrMergeAsync(document, document.Id, document.Pk, (stored, update) => DocumentMerge.Merge(stored, update).WithEstimatedCost(catalog), cancellationToken);
    }

    /// <summary>One write for a new document; for an existing one, read–merge–replace under If-Match until no one raced us.</summary>
    private async Task CreateOrMergeAsync<T>(T document, string id, string pk, Func<T, T, T> merge, CancellationToken cancellationToken)
        where T : class
    {
        var partitionKey = new PartitionKey(pk);
        var noContent = new ItemRequestOptions { EnableContentResponseOnWrite = false };
        using (var created = await stores.Traces.CreateItemStreamAsync(Serialize(document), partitionKey, noContent, cancellationToken))
        {
            if (created.StatusCode != HttpStatusCode.Conflict)
            {
                created.EnsureSuccessStatusCode();
                return;
            }
        }

        for (var attempt = 0; attempt < MaxMergeAttempts; attempt++)
        {
            var (stored, etag) = await stores.Traces.ReadItemOrDefaultAsync<T>(id, partitionKey, cancellationToken);
            if (stored is null)
            {
                using var recreated = await stores.Traces.CreateItemStreamAsync(Serialize(document), partitionKey, noContent, cancellationToken);
                if (recreated.StatusCode == HttpStatusCode.Conflict)
                {
                    continue;
                }

                recreated.EnsureSuccessStatusCode();
                return;
            }

            var merged = merge(stored, document);
            if (TracewayJson.SameJson(merged, stored))
            {
                return;
            }

            using var replaced = await stores.Traces.ReplaceItemStreamAsync(
                Serialize(merged), id, partitionKey, new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken);
            if (replaced.StatusCode != HttpStatusCode.PreconditionFailed)
            {
                replaced.EnsureSuccessStatusCode();
                return;
            }

            // Someone else wrote in between: back off a little, with jitter, so racing writers spread out.
            await Task.Delay(Random.Shared.Next(0, 4 * (attempt + 1)), cancellationToken);
        }

        throw new CosmosException($"Document {id} kept changing under {MaxMergeAttempts} merge attempts.", HttpStatusCode.ServiceUnavailable, 0, "", 0);
    }

    private static MemoryStream Serialize<T>(T document) => new(JsonSerializer.SerializeToUtf8Bytes(document, TracewayJson.Options));

    /// <summary>What a failed store operation means for its item; null for a bug, which must surface.</summary>
    private StoreFailure? Classify(Exception exception)
    {
        switch (exception)
        {
            case CosmosException { StatusCode: HttpStatusCode.RequestEntityTooLarge }:
                return new StoreFailure(400, "The item is too large to store: shrink its metadata or attributes.");
            case CosmosException { StatusCode: HttpStatusCode.TooManyRequests }:
                return new StoreFailure(503, "Not stored: the store is throttling requests. Retry later.", Throttled: true);
            case CosmosException { StatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.Gone or HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable or (HttpStatusCode)449 }
                or RequestFailedException { Status: 0 or 408 or 429 or 500 or 503 } or HttpRequestException or TimeoutException or OperationCanceledException:
                LogStoreFailure(logger, exception);
                return new StoreFailure(503, "Not stored: the store did not answer in time. Retry later.");
            case CosmosException or RequestFailedException:
                LogStoreFailure(logger, exception);
                return new StoreFailure(503, "Not stored: the store refused the write; it has been logged. Retry later.");
            default:
                return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An ingested item was not stored")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception);
}
