using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Traceway.Testing;

/// <summary>
/// The real app on Kestrel at a free loopback port, on its own database in the shared emulators.
/// Tests speak HTTP to it; <see cref="Services"/> is only for seams (a clock, a failing dependency).
/// </summary>
public class TracewayApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings = [];
    private readonly List<Action<IServiceCollection>> _seams = [];

    public string DatabaseName { get; } = "app-" + Guid.NewGuid().ToString("N");

    public string AdminKey { get; } = "admin-" + Guid.NewGuid().ToString("N");

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
        foreach (var (key, value) in emulators.AppSettings(DatabaseName))
        {
            _settings.TryAdd(key.Replace("__", ":", StringComparison.Ordinal), value);
        }

        _settings.TryAdd("Traceway:AdminKey", AdminKey);
        // Rollup tests switch the change feed processor on; elsewhere it would only add load to the emulator.
        _settings.TryAdd("Traceway:ChangeFeed:Enabled", "false");
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A client that sends <paramref name="key"/> as a bearer token.</summary>
    public HttpClient CreateClient(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a project through the admin API and returns its id and keys.</summary>
    public async Task<TestProject> CreateProjectAsync(string name = "test")
    {
        using var admin = CreateClient(AdminKey);
        return await TestProject.CreateAsync(admin, name);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => _seams.ForEach(seam => seam(services)));
    }
}
