using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Traceway.Hosting;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Rollups;

/// <summary>
/// The change feed processor hosted the way the isolated worker hosts it: a generic host (no web server) with
/// the same <c>AddTraceway</c> registration. The standalone app only ingests here (its processor is off).
/// Taking over from a stopped instance is held by ReliabilityTests (one app process stopped, another started
/// on the same database).
/// </summary>
public sealed class WorkerRollupHostingTests : IAsyncLifetime
{
    private readonly TracewayApp _ingest = new TracewayApp().WithSetting("Traceway:ChangeFeed:Enabled", "false");

    public Task InitializeAsync() => _ingest.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_ingest).DisposeAsync();

    [Fact]
    public async Task A_worker_style_host_rolls_up_a_session_from_the_change_feed()
    {
        using var api = await IngestApi.ForNewProjectAsync(_ingest);
        await api.IngestAsync(Journey.Request(1, 2, 3, 4, 5));

        using var worker = await StartWorkerAsync();
        var summary = await new SummaryReader(_ingest, api.Project.Id).WaitForSessionAsync(Journey.SessionId, s => (int)s["traceCount"]! == 5 && (int)s["spanCount"]! == 8, TimeSpan.FromSeconds(15));

        Journey.AssertSummary(summary);
    }

    private async Task<IHost> StartWorkerAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        var emulators = await LocalEmulators.Shared;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Traceway:Cosmos:AccountEndpoint"] = emulators.CosmosEndpoint.ToString(),
            ["Traceway:Cosmos:Key"] = emulators.CosmosKey,
            ["Traceway:Cosmos:DatabaseName"] = _ingest.DatabaseName,
            ["Traceway:Blob:ConnectionString"] = emulators.BlobConnectionString,
            ["Traceway:ChangeFeed:PollIntervalMs"] = "100",
        });
        builder.Services.AddTraceway(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
