using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Traceway.Benchmarks;

/// <summary>The emulators and the built app, each its own process on loopback, as the local run starts them; stopped by process id.</summary>
internal sealed class LocalStack : IAsyncDisposable
{
    public const string CosmosKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private readonly List<Process> _processes = [];

    public Uri CosmosEndpoint { get; private set; } = null!;

    public Uri AppUrl { get; private set; } = null!;

    public string AdminKey { get; } = "bench-" + Guid.NewGuid().ToString("N");

    public string DatabaseName { get; } = "traceway";

    public Process App => _processes[^1];

    public static async Task<LocalStack> StartAsync(string root)
    {
        var stack = new LocalStack();
        var emulators = Start("node", Path.Combine(root, "emulators"), ["start.js", "--cosmos-port", "0", "--blob-port", "0", "--queue-port", "0", "--table-port", "0", "--exit-on-stdin-close"], new());
        stack._processes.Add(emulators);
        var ready = await emulators.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The emulators did not start.");
        var ports = JsonDocument.Parse(ready["READY ".Length..]).RootElement;
        stack.CosmosEndpoint = new Uri($"https://127.0.0.1:{ports.GetProperty("cosmos").GetInt32()}/");
        var blob = ports.GetProperty("blob").GetInt32();

        var port = FreePort();
        stack.AppUrl = new Uri($"http://127.0.0.1:{port}");
        var app = Start("dotnet", Path.Combine(root, "src/Traceway.Functions/bin/Release/net10.0"), ["Traceway.Functions.dll"], new()
        {
            ["Traceway__Port"] = $"{port}",
            ["Traceway__AdminKey"] = stack.AdminKey,
            ["Traceway__ProvisionStorage"] = "true",
            ["Traceway__Cosmos__AccountEndpoint"] = stack.CosmosEndpoint.ToString(),
            ["Traceway__Cosmos__Key"] = CosmosKey,
            ["Traceway__Blob__ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        stack._processes.Add(app);
        using var client = new HttpClient { BaseAddress = stack.AppUrl };
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(100))
        {
            try
            {
                if ((await client.GetAsync(new Uri("/api/health", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return stack;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>Creates a project and returns (projectId, ingest key, read key).</summary>
    public async Task<(string ProjectId, string IngestKey, string ReadKey)> CreateProjectAsync()
    {
        using var client = new HttpClient { BaseAddress = AppUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var body = await (await client.PostAsJsonAsync(new Uri("/api/projects", UriKind.Relative), new { name = "bench" })).Content.ReadFromJsonAsync<JsonElement>();
        var keys = body.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("scopes")[0].GetString()!, k => k.GetProperty("key").GetString()!);
        return (body.GetProperty("id").GetString()!, keys["ingest"], keys["read"]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    private static Process Start(string file, string directory, string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = false };
        args.ToList().ForEach(start.ArgumentList.Add);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
