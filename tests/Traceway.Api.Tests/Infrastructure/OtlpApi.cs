using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Traceway.Ingestion.Otlp.Proto;

namespace Traceway.Tests.Infrastructure;

/// <summary>An answer of <c>POST /api/otel/v1/traces</c>, read the way an OTLP exporter reads it.</summary>
internal sealed record OtlpReply(HttpStatusCode Status, string? ContentType, byte[] Body, string? RetryAfter)
{
    public bool IsProtobuf => ContentType == "application/x-protobuf";

    public ExportTraceServiceResponse Response => IsProtobuf
        ? ExportTraceServiceResponse.Parser.ParseFrom(Body)
        : JsonParser.Default.Parse<ExportTraceServiceResponse>(System.Text.Encoding.UTF8.GetString(Body));

    /// <summary>The google.rpc.Status of an error answer.</summary>
    public ExportError Error => IsProtobuf
        ? ExportError.Parser.ParseFrom(Body)
        : JsonParser.Default.Parse<ExportError>(System.Text.Encoding.UTF8.GetString(Body));
}

/// <summary>Sends OTLP/HTTP trace exports to the app as a project's exporter would.</summary>
internal sealed class OtlpApi(TracewayApp app, string key) : IDisposable
{
    public const string Path = "/api/otel/v1/traces";

    private readonly HttpClient _client = CreateClient(app, key);

    public Task<OtlpReply> ExportAsync(ExportTraceServiceRequest request, bool gzip = false) =>
        SendAsync(request.ToByteArray(), "application/x-protobuf", gzip);

    public Task<OtlpReply> ExportJsonAsync(string json, bool gzip = false) =>
        SendAsync(System.Text.Encoding.UTF8.GetBytes(json), "application/json", gzip);

    public async Task<OtlpReply> SendAsync(byte[] body, string contentType, bool gzip = false)
    {
        if (gzip)
        {
            using var compressed = new MemoryStream();
            await using (var zip = new GZipStream(compressed, CompressionLevel.Fastest))
            {
                await zip.WriteAsync(body);
            }

            body = compressed.ToArray();
        }

        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        using var response = await _client.PostAsync(new Uri(Path, UriKind.Relative), content);
        return new OtlpReply(
            response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            await response.Content.ReadAsByteArrayAsync(),
            response.Headers.RetryAfter?.ToString());
    }

    public void Dispose() => _client.Dispose();

    // Exporters send the key through OTEL_EXPORTER_OTLP_HEADERS, usually as x-api-key.
    private static HttpClient CreateClient(TracewayApp app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", key);
        return client;
    }
}
