using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Traceway.Benchmarks;

/// <summary>
/// The built app (Release) in its own process on a free loopback port, as it runs standalone; stopped by
/// process id. Each measurement starts its own, so a phase's memory and background work stay its own.
/// </summary>
internal sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AppProcess(Process process, Uri url, string adminKey)
    {
        _process = process;
        Url = url;
        AdminKey = adminKey;
    }

    public Uri Url { get; }

    public string AdminKey { get; }

    public int ProcessId => _process.Id;

    /// <param name="database">A database of its own, so one phase's documents do not slow another's emulator scans.</param>
    /// <param name="changeFeed">Whether the in-process change feed processor rolls up summaries.</param>
    public static async Task<AppProcess> StartAsync(string root, Emulators emulators, string database, bool changeFeed)
    {
        var port = FreePort();
        var adminKey = "bench-" + Guid.NewGuid().ToString("N");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(root, "src/Traceway.Functions/bin/Release/net10.0"),
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("Traceway.Functions.dll");
        start.Environment["Traceway__Port"] = $"{port}";
        start.Environment["Traceway__AdminKey"] = adminKey;
        start.Environment["Traceway__ProvisionStorage"] = "true";
        start.Environment["Traceway__Cosmos__AccountEndpoint"] = emulators.CosmosEndpoint.ToString();
        start.Environment["Traceway__Cosmos__Key"] = emulators.CosmosKey;
        start.Environment["Traceway__Cosmos__DatabaseName"] = database;
        start.Environment["Traceway__Blob__ConnectionString"] = emulators.BlobConnectionString;
        start.Environment["Traceway__ChangeFeed__Enabled"] = changeFeed ? "true" : "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");

        // Drained so a chatty app never blocks on a full pipe; kept out of the benchmark's table.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        var app = new AppProcess(process, new Uri($"http://127.0.0.1:{port}"), adminKey);
        await app.WaitUntilHealthyAsync();
        return app;
    }

    /// <summary>Creates a project; returns its id and its ingest and read keys.</summary>
    public async Task<Project> CreateProjectAsync(string name)
    {
        using var client = Client(AdminKey);
        using var response = await client.PostAsJsonAsync(new Uri("/api/projects", UriKind.Relative), new { name });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var keys = body.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("scopes")[0].GetString()!, k => k.GetProperty("key").GetString()!);
        return new Project(body.GetProperty("id").GetString()!, keys["ingest"], keys["read"]);
    }

    /// <summary>An HTTP client for the app that sends <paramref name="key"/>.</summary>
    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = Url };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {_process.ExitCode} while starting.");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The app did not become healthy within 60 s.");
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed record Project(string Id, string IngestKey, string ReadKey);
