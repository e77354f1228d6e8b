using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Traceway.Tests.Infrastructure;

/// <summary>
/// The real app on Kestrel at a free loopback port, on its own database in the shared emulators.
/// Tests speak HTTP to it; <see cref="Services"/> is only for seams (a clock, a failing dependency).
/// </summary>
public class TracewayApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings = [];
    private readonly List<Action<IServiceCollection>> _seams = [];

    public string DatabaseName { get; } = "app-" + Guid.NewGuid().ToString("N");

    /// <summary>Overrides one configuration setting (before the app starts).</summary>
    public TracewayApp WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Replaces services at a seam (before the app starts).</summary>
    public TracewayApp WithServices(Action<IServiceCollection> configure)
    {
        _seams.Add(configure);
        return this;
    }

    public virtual async Task InitializeAsync()
    {
        var emulators = await LocalEmulators.Shared;
        _settings.TryAdd("Traceway:Cosmos:AccountEndpoint", emulators.CosmosEndpoint.ToString());
        _settings.TryAdd("Traceway:Cosmos:Key", LocalEmulators.CosmosKey);
        _settings.TryAdd("Traceway:Cosmos:DatabaseName", DatabaseName);
        _settings.TryAdd("Traceway:Blob:ConnectionString", emulators.BlobConnectionString);
        _settings.TryAdd("Traceway:ProvisionStorage", "true");
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => _seams.ForEach(seam => seam(services)));
    }
}
