using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Documents;

/// <summary>
/// Large inputs and outputs (long context windows) live in Blob storage, named by project and content
/// hash: resending the same payload rewrites the same blob, and the document keeps a reference and a
/// short preview. Reading gives back the exact original JSON.
/// </summary>
internal sealed class PayloadStore(TracewayStores stores, IOptions<PayloadOptions> options)
{
    private const int PreviewLength = 512;

    /// <summary>Keeps a small payload inline; uploads a large one first, so a stored document never points at a missing blob.</summary>
    public async Task<StoredPayload> StoreAsync(string projectId, string? payload, CancellationToken cancellationToken)
    {
        if (payload is null)
        {
            return default;
        }

        // Counting is enough for the common small payload; bytes are only made for one going to Blob storage.
        if (Encoding.UTF8.GetByteCount(payload) <= options.Value.PayloadBlobThresholdBytes)
        {
            return new StoredPayload(payload, null);
        }

        var json = Encoding.UTF8.GetBytes(payload);
        var name = $"{projectId}/{Convert.ToHexStringLower(SHA256.HashData(json))}.json";
        try
        {
            // Named by content: a blob that exists already holds exactly these bytes, so resends upload nothing.
            await stores.Payloads.GetBlobClient(name).UploadAsync(
                new BinaryData(json),
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" }, Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return new StoredPayload(null, new PayloadReference(name, json.Length, Preview(json)), json);
        }

        return new StoredPayload(null, new PayloadReference(name, json.Length, Preview(json)));
    }

    /// <summary>
    /// After the document referencing a blob that was there already is written: changes the blob's ETag, so a deletion
    /// that found no reference to it before that document was written no longer deletes it (it deletes under If-Match),
    /// or, when that deletion was first, uploads the payload again. Costs nothing for a payload uploaded just now.
    /// </summary>
    public async Task ConfirmAsync(StoredPayload payload, CancellationToken cancellationToken)
    {
        if (payload is not { Reused: { } json, Reference: { } reference })
        {
            return;
        }

        var blob = stores.Payloads.GetBlobClient(reference.Blob);
        try
        {
            await blob.SetMetadataAsync(new Dictionary<string, string> { ["referenced"] = "true" }, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            try
            {
                await blob.UploadAsync(
                    new BinaryData(json),
                    new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" }, Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                    cancellationToken);
            }
            catch (RequestFailedException again) when (again.Status is 409 or 412)
            {
            }
        }
    }

    /// <summary>The payload as sent: inline, or downloaded from Blob storage.</summary>
    public async Task<JsonElement?> LoadAsync(string? inline, PayloadReference? reference, CancellationToken cancellationToken)
    {
        if (reference is null)
        {
            return Parse(inline);
        }

        var content = await stores.Payloads.GetBlobClient(reference.Blob).DownloadContentAsync(cancellationToken);
        using var document = JsonDocument.Parse(content.Value.Content.ToMemory(), TracewayJson.DocumentOptions);
        return document.RootElement.Clone();
    }

    /// <summary>Parsing keeps each number's exact text, so the JSON written back is the JSON that was sent.</summary>
    public static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json, TracewayJson.DocumentOptions);
        return document.RootElement.Clone();
    }

    private static string Preview(byte[] json)
    {
        var text = Encoding.UTF8.GetString(json, 0, Math.Min(json.Length, PreviewLength * 4));
        return text.Length <= PreviewLength ? text : text[..PreviewLength] + "…";
    }
}

/// <summary>
/// A payload as a document holds it: inline, or a reference to its blob; <see cref="Reused"/> holds the bytes of a
/// blob that was there already, to be confirmed (<see cref="PayloadStore.ConfirmAsync"/>) once the document is written.
/// </summary>
internal readonly record struct StoredPayload(string? Inline, PayloadReference? Reference, byte[]? Reused = null)
{
    public bool IsInline => Reference is null;
}
