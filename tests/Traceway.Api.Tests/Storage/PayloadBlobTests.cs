using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;
using Traceway.Documents;

namespace Traceway.Tests.Storage;

/// <summary>
/// Inputs and outputs over <c>Traceway:Ingest:PayloadBlobThresholdBytes</c> (65,536 bytes by default) go to
/// the <c>payloads</c> blob container, named by project and SHA-256 of the JSON sent; the Cosmos document
/// keeps only a reference, and reads give the payload back exactly. The blob container is read here with
/// the Azure.Storage.Blobs client straight from Azurite, not through the app.
/// </summary>
public sealed class PayloadBlobTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    private const int DefaultThresholdBytes = 64 * 1024;

    [Fact]
    public async Task An_input_over_the_threshold_is_stored_as_a_blob_the_document_references_and_replay_returns_it_exactly()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        var traceInput = Messages("user", 2 * DefaultThresholdBytes);
        var spanInput = Messages("system", DefaultThresholdBytes + 1024);
        const string smallOutput = """{"role":"assistant","content":"short answer","score":1.50}""";
        var body = $$"""
            {"traces":[{"id":"t-big","sessionId":"s-big","name":"chat-turn","startedAt":"2026-11-20T10:00:00Z","endedAt":"2026-11-20T10:00:05Z",
              "input":{{traceInput}},"output":{{smallOutput}},
              "spans":[{"id":"llm","name":"chat","kind":"llm","model":"gpt-4o","inputTokens":20000,"outputTokens":5,"cost":0.05,
                "startedAt":"2026-11-20T10:00:01Z","input":{{spanInput}},"output":{{smallOutput}}}]}]}
            """;

        var (status, response) = await api.IngestRawAsync(body);

        Assert.True(status == HttpStatusCode.OK, response.ToString());

        // Blob storage holds exactly the two large payloads, byte for byte, named by project and content hash.
        var container = new BlobServiceClient((await LocalEmulators.Shared).BlobConnectionString).GetBlobContainerClient("payloads");
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, api.Project.Id + "/", default))
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal(new[] { BlobName(api, traceInput), BlobName(api, spanInput) }.Order(StringComparer.Ordinal), blobs.Order(StringComparer.Ordinal));
        Assert.Equal(traceInput, (await container.GetBlobClient(BlobName(api, traceInput)).DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(spanInput, (await container.GetBlobClient(BlobName(api, spanInput)).DownloadContentAsync()).Value.Content.ToString());

        // The Cosmos documents hold a reference instead of the payload; the small output stays inline.
        var pk = DocumentKeys.SessionPartitionKey(api.Project.Id, "s-big");
        foreach (var (id, input) in new[] { (DocumentKeys.TraceDocumentId("t-big"), traceInput), (DocumentKeys.SpanDocumentId("t-big", "llm"), spanInput) })
        {
            var document = await ReadDocumentAsync(pk, id);
            Assert.Null(document["input"]);
            Assert.Equal(BlobName(api, input), (string?)document["inputRef"]?["blob"]);
            Assert.Equal(Encoding.UTF8.GetByteCount(input), (long)document["inputRef"]!["bytes"]!);
            Assert.Null(document["outputRef"]);
            Assert.NotNull(document["output"]);
            Assert.True(Encoding.UTF8.GetByteCount(document.ToJsonString()) < DefaultThresholdBytes / 8, $"{id} is {document.ToJsonString().Length} characters");
        }

        // Replay and the trace read give the payloads back exactly.
        using var reader = app.CreateClient(api.Project.ReadKey);
        using var replayResponse = await reader.GetAsync(new Uri("/api/sessions/s-big/replay", UriKind.Relative));
        var replay = JsonNode.Parse(await replayResponse.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, replayResponse.StatusCode);
        var turn = Assert.Single(replay["turns"]!.AsArray())!;
        AssertSameJson(traceInput, turn["userInput"]);
        AssertSameJson(spanInput, Assert.Single(turn["steps"]!.AsArray())!["input"]);
        AssertSameJson(smallOutput, turn["response"]);
        var trace = (await api.GetTraceAsync("t-big"))!;
        AssertSameJson(traceInput, trace["input"]);
        AssertSameJson(spanInput, trace["spans"]![0]!["input"]);
    }

    /// <summary>A chat transcript as compact JSON text of at least <paramref name="minBytes"/> UTF-8 bytes, with non-ASCII text and numbers whose spelling matters.</summary>
    private static string Messages(string role, int minBytes)
    {
        var text = new StringBuilder("[");
        for (var i = 0; text.Length < minBytes; i++)
        {
            text.Append(i == 0 ? "" : ",").Append($$"""{"role":"{{role}}","content":"message {{i}} – naïve café 🚀 {{new string('x', 200)}}","weight":{{i}}.50}""");
        }

        return text.Append(']').ToString();
    }

    private static string BlobName(IngestApi api, string payload) =>
        $"{api.Project.Id}/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload)))}.json";

    private static void AssertSameJson(string expected, JsonNode? actual)
    {
        Assert.NotNull(actual);
        var sent = JsonNode.Parse(expected)!;
        Assert.True(JsonNode.DeepEquals(sent, actual), $"payload differs: {actual.ToJsonString()[..Math.Min(200, actual.ToJsonString().Length)]}");
        Assert.Equal(sent.ToJsonString(), actual.ToJsonString());
    }

    private async Task<JsonNode> ReadDocumentAsync(string pk, string id)
    {
        var traces = app.Services.GetRequiredService<TracewayStores>().Traces;
        using var response = await traces.ReadItemStreamAsync(id, new PartitionKey(pk));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonNode.ParseAsync(response.Content))!;
    }
}
