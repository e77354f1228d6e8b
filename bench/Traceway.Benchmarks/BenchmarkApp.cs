using Traceway.Testing;

namespace Traceway.Benchmarks;

/// <summary>
/// The built app (Release) in its own process on a free loopback port, as it runs standalone; stopped by
/// process id. Each measurement starts its own, so a phase's memory and background work stay its own.
/// </summary>
internal sealed class BenchmarkApp : IAsyncDisposable
{
    private readonly AppProcess _process;

    private BenchmarkApp(AppProcess process, Uri url, string adminKey)
    {
        _process = process;
        Url = url;
        AdminKey = adminKey;
    }

    public Uri Url { get; }

    public string AdminKey { get; }

    public int ProcessId => _process.ProcessId;

    /// <param name="database">A database of its own, so one phase's documents do not slow another's emulator scans.</param>
    /// <param name="changeFeed">Whether the in-process change feed processor rolls up summaries.</param>
    /// <param name="maxItemsPerBatch">The change feed processor's batch size, or null for the app's default.</param>
    public static async Task<BenchmarkApp> StartAsync(string root, LocalEmulators emulators, string database, bool changeFeed, int? maxItemsPerBatch = null)
    {
        var port = AppProcess.FreePort();
        var adminKey = "bench-" + Guid.NewGuid().ToString("N");
        var environment = new Dictionary<string, string>
        {
            ["Traceway__Port"] = $"{port}",
            ["Traceway__AdminKey"] = adminKey,
            ["Traceway__ChangeFeed__Enabled"] = changeFeed ? "true" : "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (maxItemsPerBatch is { } items)
        {
            environment["Traceway__ChangeFeed__MaxItemsPerBatch"] = $"{items}";
        }

        var process = AppProcess.Start(
            Path.Combine(root, "src/Traceway.Functions/bin/Release/net10.0/Traceway.Functions.dll"),
            [],
            emulators.AppSettings(database),
            environment);
        var app = new BenchmarkApp(process, new Uri($"http://127.0.0.1:{port}"), adminKey);
        try
        {
            await process.WaitUntilHealthyAsync(port, TimeSpan.FromSeconds(60));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a project; returns its id and its ingest and read keys.</summary>
    public async Task<TestProject> CreateProjectAsync(string name)
    {
        using var admin = Client(AdminKey);
        return await TestProject.CreateAsync(admin, name);
    }

    /// <summary>An HTTP client for the app that sends <paramref name="key"/>.</summary>
    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
