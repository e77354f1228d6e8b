using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Traceway.Hosting;
using Traceway.Ingestion;
using Traceway.Storage;

namespace Traceway.Traces;

/// <summary>
/// Large inputs and outputs (long context windows) live in Blob storage, named by project and content
/// hash: resending the same payload rewrites the same blob, and the document keeps a reference and a
/// short preview. Reading gives back the exact original JSON.
/// </summary>
internal sealed class PayloadStore(TracewayStores stores, IOptions<IngestOptions> options)
{
    private const int PreviewLength = 512;

    /// <summary>Keeps a small payload inline; uploads a large one first, so a stored document never points at a missing blob.</summary>
    public async Task<(JsonElement? Inline, PayloadReference? Reference)> StoreAsync(string projectId, JsonElement? payload, CancellationToken cancellationToken)
    {
        if (payload is not { } value)
        {
            return (null, null);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(value, TracewayJson.Options);
        if (json.Length <= options.Value.PayloadBlobThresholdBytes)
        {
            return (value, null);
        }

        var name = $"{projectId}/{Convert.ToHexStringLower(SHA256.HashData(json))}.json";
        await stores.Payloads.GetBlobClient(name).UploadAsync(
            new BinaryData(json),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
            cancellationToken);
        return (null, new PayloadReference(name, json.Length, Preview(json)));
    }

    public async Task<JsonElement> LoadAsync(PayloadReference reference, CancellationToken cancellationToken)
    {
        var content = await stores.Payloads.GetBlobClient(reference.Blob).DownloadContentAsync(cancellationToken);
        using var document = JsonDocument.Parse(content.Value.Content.ToMemory(), new JsonDocumentOptions { MaxDepth = 256 });
        return document.RootElement.Clone();
    }

    private static string Preview(byte[] json)
    {
        var text = Encoding.UTF8.GetString(json, 0, Math.Min(json.Length, PreviewLength * 4));
        return text.Length <= PreviewLength ? text : text[..PreviewLength] + "…";
    }
}
