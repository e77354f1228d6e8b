using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Traceway.Tests.Infrastructure;

/// <summary>Speaks the ingest and trace API of one project over HTTP, as an SDK would.</summary>
public sealed class IngestApi(TracewayApp app, TestProject project) : IDisposable
{
    private readonly HttpClient _ingest = app.CreateClient(project.IngestKey);
    private readonly HttpClient _read = app.CreateClient(project.ReadKey);

    public static async Task<IngestApi> ForNewProjectAsync(TracewayApp app) => new(app, await app.CreateProjectAsync());

    public TestProject Project => project;

    public async Task<(HttpStatusCode Status, JsonElement Body)> IngestAsync(object body)
    {
        using var response = await _ingest.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), body);
        return (response.StatusCode, await ReadBodyAsync(response));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> IngestRawAsync(string json, string contentType = "application/json")
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return await SendAsync(content);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpContent content)
    {
        using var response = await _ingest.PostAsync(new Uri("/api/ingest", UriKind.Relative), content);
        return (response.StatusCode, await ReadBodyAsync(response));
    }

    public async Task<JsonNode?> GetTraceAsync(string traceId)
    {
        using var response = await _read.GetAsync(new Uri("/api/traces/" + Uri.EscapeDataString(traceId), UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }

    public void Dispose()
    {
        _ingest.Dispose();
        _read.Dispose();
    }

    private static async Task<JsonElement> ReadBodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
