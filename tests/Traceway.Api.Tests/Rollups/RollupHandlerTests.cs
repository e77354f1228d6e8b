using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Documents;
using Traceway.Rollups;
using Traceway.Storage;
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

    /// <summary>A session's stored trace and span documents in write order, as the change feed would deliver them.</summary>
    private protected async Task<List<JsonElement>> StoredDocumentsAsync(string sessionId)
    {
        var traces = App.Services.GetRequiredService<TracewayStores>().Traces;
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey(DocumentKeys.SessionPartitionKey(Api.Project.Id, sessionId)) };
        using var iterator = traces.GetItemQueryIterator<JsonElement>(new QueryDefinition("SELECT * FROM c ORDER BY c._ts"), requestOptions: options);
        var documents = new List<JsonElement>();
        while (iterator.HasMoreResults)
        {
            documents.AddRange(await iterator.ReadNextAsync());
        }

        return documents;
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await ((IAsyncLifetime)App).DisposeAsync();
    }
}
