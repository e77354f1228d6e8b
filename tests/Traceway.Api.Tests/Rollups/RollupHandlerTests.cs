using Microsoft.Extensions.DependencyInjection;
using Traceway.Rollups;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Rollups;

/// <summary>
/// Tests that play the change feed themselves: the app's processor is off, so nothing races the batches they hand
/// to the rollup handler. Each test class gets its own app and project.
/// </summary>
public abstract class RollupHandlerTests : IAsyncLifetime
{
    protected TracewayApp App { get; } = new TracewayApp().WithSetting("Traceway:ChangeFeed:Enabled", "false");

    private protected IngestApi Api { get; private set; } = null!;

    private protected SummaryReader Summaries { get; private set; } = null!;

    private protected RollupHandler Handler => App.Services.GetRequiredService<RollupHandler>();

    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        Api = await IngestApi.ForNewProjectAsync(App);
        Summaries = new SummaryReader(App, Api.Project.Id);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await ((IAsyncLifetime)App).DisposeAsync();
    }
}
