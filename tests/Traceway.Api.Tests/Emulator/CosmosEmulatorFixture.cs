using Microsoft.Azure.Cosmos;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Emulator;

/// <summary>A fresh database on the shared emulator, reached through the app's own Cosmos client settings.</summary>
public sealed class CosmosEmulatorFixture : IAsyncLifetime
{
    private CosmosClient? _client;

    public CosmosClient Client => _client ?? throw new InvalidOperationException("Not initialized.");

    public Database Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var emulators = await LocalEmulators.Shared;
        var options = new CosmosOptions { AccountEndpoint = emulators.CosmosEndpoint, Key = emulators.CosmosKey };
        _client = StorageServiceCollectionExtensions.CreateCosmosClient(options, () => throw new InvalidOperationException("The emulator uses a key."), []);
        Database = (await Client.CreateDatabaseAsync("compat-" + Guid.NewGuid().ToString("N"))).Database;
    }

    /// <summary>A new container partitioned by <c>/pk</c>, so each test starts from empty.</summary>
    public async Task<Container> NewContainerAsync(int? defaultTimeToLive = null)
    {
        var properties = new ContainerProperties("c-" + Guid.NewGuid().ToString("N"), "/pk") { DefaultTimeToLive = defaultTimeToLive };
        return (await Database.CreateContainerAsync(properties)).Container;
    }

    public async Task<Container> NewLeaseContainerAsync() =>
        (await Database.CreateContainerAsync("leases-" + Guid.NewGuid().ToString("N"), "/id")).Container;

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await Database.DeleteAsync();
            _client.Dispose();
        }
    }
}

public sealed record Item(string Id, string Pk, int N, string Kind, string? Text = null, int? Ttl = null);
