using System.IO.Compression;

namespace Traceway.Ingestion;

/// <summary>Why a request body was not read: the status to answer and what to say.</summary>
internal sealed record BodyRefusal(int Status, string Title, string Detail);

/// <summary>Reads an ingest request's body: optionally gzip, at most the configured size after decompression.</summary>
internal static class RequestBody
{
    public static async Task<(byte[] Body, BodyRefusal? Refusal)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        Stream source;
        switch (encoding.ToLowerInvariant())
        {
            case "" or "identity":
                source = request.Body;
                break;
            case "gzip":
                source = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
                break;
            default:
                return ([], new(415, "Unsupported content encoding", $"Content-Encoding '{encoding}' is not supported; send gzip or no encoding."));
        }

        await using (source)
        {
            try
            {
                using var buffer = new MemoryStream();
                var chunk = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    if (buffer.Length + read > maxBytes)
                    {
                        return ([], new(413, "Body too large", $"The body exceeds {maxBytes:N0} bytes after decompression. Nothing was stored; split the request."));
                    }

                    buffer.Write(chunk, 0, read);
                }

                return (buffer.ToArray(), null);
            }
            catch (InvalidDataException)
            {
                return ([], new(400, "The body is not valid gzip", "Content-Encoding says gzip but the body could not be decompressed. Nothing was stored."));
            }
            catch (BadHttpRequestException e)
            {
                return ([], new(e.StatusCode, "The body could not be read", e.Message));
            }
        }
    }

    public static bool IsJson(string? contentType) => MediaType(contentType) is { } media
        && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>The media type of a Content-Type header, without its parameters.</summary>
    public static string? MediaType(string? contentType) =>
        contentType is not null && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) ? media.MediaType.Value : null;
}
