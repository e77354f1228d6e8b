using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Models;
using Traceway.Storage;

namespace Traceway.Ingestion;

/// <summary>
/// Stores one complete document: moves a large input or output to Blob storage first, then writes the document
/// with point operations. Create is the fast path; an existing document is merged with read–merge–replace under
/// If-Match (DESIGN.md §4). Returning means Cosmos DB has stored it; a failure throws.
/// </summary>
internal sealed class IngestWriter(TracewayStores stores, PayloadStore payloads, ModelCatalog catalog, StoreRetry retry, Retention retention)
{
    // Racing writers of one document each get a turn within a few hundred milliseconds.
    private static readonly RetryPolicy MergeRaces = new(MaxAttempts: 30, Step: TimeSpan.FromMilliseconds(4));

    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    public async Task WriteAsync(TraceDocument trace, CancellationToken cancellationToken)
    {
        var input = await payloads.StoreAsync(trace.ProjectId, trace.Input, cancellationToken);
        var output = await payloads.StoreAsync(trace.ProjectId, trace.Output, cancellationToken);
        var document = input.IsInline && output.IsInline
            ? trace
            : trace with { Input = input.Inline, InputRef = input.Reference, Output = output.Inline, OutputRef = output.Reference };
        await CreateOrMergeAsync(document, document.ProjectId, document.Id, document.Pk, DocumentMerge.Merge, cancellationToken);
        await ConfirmAsync(input, output, cancellationToken);
    }

    public async Task WriteAsync(SpanDocument span, CancellationToken cancellationToken)
    {
        var input = await payloads.StoreAsync(span.ProjectId, span.Input, cancellationToken);
        var output = await payloads.StoreAsync(span.ProjectId, span.Output, cancellationToken);
        var document = (input.IsInline && output.IsInline
            ? span
            : span with { Input = input.Inline, InputRef = input.Reference, Output = output.Inline, OutputRef = output.Reference }).WithEstimatedCost(catalog);
        await CreateOrMergeAsync(document, document.ProjectId, document.Id, document.Pk, (stored, update) => DocumentMerge.Merge(stored, update).WithEstimatedCost(catalog), cancellationToken);
        await ConfirmAsync(input, output, cancellationToken);
    }

    // A deletion may have removed a blob this document found already there (see PayloadStore.ConfirmAsync).
    private async Task ConfirmAsync(StoredPayload input, StoredPayload output, CancellationToken cancellationToken)
    {
        await payloads.ConfirmAsync(input, cancellationToken);
        await payloads.ConfirmAsync(output, cancellationToken);
    }

    /// <summary>
    /// Writes a document moving into a session's partition (<see cref="SessionAdoption"/>). What is already there was
    /// written later, so it wins field by field and the moved document only fills in; moving it again changes nothing.
    /// </summary>
    public Task MoveAsync(TraceDocument moved, CancellationToken cancellationToken) =>
        CreateOrMergeAsync(moved, moved.ProjectId, moved.Id, moved.Pk, (there, _) => DocumentMerge.Merge(moved, there), cancellationToken);

    /// <inheritdoc cref="MoveAsync(TraceDocument, CancellationToken)"/>
    public Task MoveAsync(SpanDocument moved, CancellationToken cancellationToken) =>
        CreateOrMergeAsync(moved, moved.ProjectId, moved.Id, moved.Pk, (there, _) => DocumentMerge.Merge(moved, there).WithEstimatedCost(catalog), cancellationToken);

    /// <summary>One write for a new document; for an existing one, read–merge–replace under If-Match until no one raced us.</summary>
    private async Task CreateOrMergeAsync<T>(T document, string projectId, string id, string pk, Func<T, T, T> merge, CancellationToken cancellationToken)
        where T : class
    {
        var partitionKey = new PartitionKey(pk);
        var ttl = await retention.TtlSecondsAsync(projectId, cancellationToken);
        var exists = false;
        await retry.RunAsync(MergeRaces, $"Document {id}", async ct =>
        {
            if (!exists && await TryCreateAsync(document, ttl, partitionKey, ct))
            {
                return Attempt<bool>.Done(true);
            }

            var (stored, etag) = await stores.Traces.ReadItemOrDefaultAsync<T>(id, partitionKey, ct);
            // Deleted in between: create it again on the next attempt.
            exists = stored is not null;
            if (stored is null)
            {
                return Attempt<bool>.Again;
            }

            var merged = merge(stored, document);
            return TracewayJson.SameJson(merged, stored) || await TryReplaceAsync(merged, ttl, id, partitionKey, etag, ct)
                ? Attempt<bool>.Done(true)
                : Attempt<bool>.Again;
        }, cancellationToken);
    }

    /// <summary>False when the document exists already.</summary>
    private async Task<bool> TryCreateAsync<T>(T document, int? ttl, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        using var created = await stores.Traces.CreateItemStreamAsync(Retention.Serialize(document, ttl), partitionKey, NoContent, cancellationToken);
        if (created.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        created.EnsureSuccessStatusCode();
        return true;
    }

    /// <summary>False when someone else wrote the document since it was read.</summary>
    private async Task<bool> TryReplaceAsync<T>(T merged, int? ttl, string id, PartitionKey partitionKey, string? etag, CancellationToken cancellationToken)
    {
        using var replaced = await stores.Traces.ReplaceItemStreamAsync(
            Retention.Serialize(merged, ttl), id, partitionKey, new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken);
        if (replaced.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }

        replaced.EnsureSuccessStatusCode();
        return true;
    }
}
