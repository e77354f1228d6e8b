using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Otlp;

/// <summary>
/// The app that OpenTelemetry clients export to, with rollups on: a client outside the process reaches it at
/// <see cref="OtlpEndpoint"/>, and a test reads what landed over the public query API once the session is rolled up.
/// </summary>
public sealed class OtlpClientApp : TracewayApp
{
    public OtlpClientApp()
    {
        WithSetting("Traceway:ChangeFeed:Enabled", "true");
        WithSetting("Traceway:ChangeFeed:PollIntervalMs", "100");
        WithServices(s => s.AddSingleton<RequestHandler>(StoreFaults));
    }

    /// <summary>The seam in front of the store, for a test that makes it fail for a while.</summary>
    public FaultInjectingHandler StoreFaults { get; } = new();

    /// <summary>The app's loopback URL.</summary>
    public string BaseUrl => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    /// <summary>What <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set to: the exporters append <c>/v1/traces</c>.</summary>
    public string OtlpBase => BaseUrl + "/api/otel";

    /// <summary>The traces endpoint itself, for an exporter configured in code (which uses its endpoint as given).</summary>
    public Uri OtlpEndpoint => new(OtlpBase + "/v1/traces");

    /// <summary>
    /// Waits until the session's rollup counts <paramref name="traceCount"/> traces of <paramref name="spanCount"/>
    /// spans in all, then reads its detail, its replay and its entry in the session list with the read key.
    /// <paramref name="clientReport"/> says, when it never gets there, what the client saw.
    /// </summary>
    public async Task<(JsonNode Detail, JsonNode Replay, JsonNode Listed)> ReadSessionAsync(TestProject project, string sessionId, int traceCount, int spanCount, Func<string> clientReport)
    {
        var summary = await new SummaryReader(this, project.Id).WaitForSessionAsync(
            sessionId, s => (int?)s["traceCount"] == traceCount && (int?)s["spanCount"] == spanCount, TimeSpan.FromSeconds(30));
        Assert.True(summary is not null, $"No session '{sessionId}' was rolled up within 30 s: nothing stored names it. {clientReport()}");
        Assert.True((int?)summary["traceCount"] == traceCount && (int?)summary["spanCount"] == spanCount,
            $"The session '{sessionId}' should hold {traceCount} traces of {spanCount} spans in all: {summary.ToJsonString()} {clientReport()}");

        using var read = CreateClient(project.ReadKey);
        var path = "/api/sessions/" + Uri.EscapeDataString(sessionId);
        var detail = await GetAsync(read, path);
        var replay = await GetAsync(read, path + "/replay");
        var list = await GetAsync(read, "/api/sessions?limit=200");
        var listed = Assert.Single(list["items"]!.AsArray(), s => (string?)s!["sessionId"] == sessionId)!;
        return (detail, replay, listed);
    }

    private static async Task<JsonNode> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }
}
