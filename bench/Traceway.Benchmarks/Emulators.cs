using System.Diagnostics;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Storage;

namespace Traceway.Benchmarks;

/// <summary>
/// The local emulators (Cosmos DB and Azurite) in one Node process on free loopback ports, as the local run
/// starts them; optionally with the Cosmos emulator's request log on, so <see cref="CosmosRequestLog"/> can count
/// requests. The log costs the emulator about 15% of its throughput, so only the request count turns it on.
/// Endpoints and keys come from the emulators' READY line (emulators/start.js owns them; see emulators/README.md).
/// </summary>
internal sealed class Emulators : IAsyncDisposable
{
    private readonly Process _process;
    private readonly CosmosRequestLog? _requestLog;

    private Emulators(Process process, JsonElement ready, bool logRequests)
    {
        _process = process;
        var cosmos = ready.GetProperty("cosmos");
        CosmosEndpoint = new Uri(cosmos.GetProperty("endpoint").GetString()!);
        CosmosKey = cosmos.GetProperty("key").GetString()!;
        BlobConnectionString = ready.GetProperty("blob").GetProperty("connectionString").GetString()!;
        ProcessIds = [.. ready.GetProperty("processes").EnumerateObject().Select(p => p.Value.GetInt32())];
        if (logRequests)
        {
            _requestLog = new CosmosRequestLog(process.StandardError);
        }
        else
        {
            _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        }
    }

    public Uri CosmosEndpoint { get; }

    /// <summary>The Cosmos DB emulator's well-known key (it accepts any key).</summary>
    public string CosmosKey { get; }

    /// <summary>The emulators' processes: Cosmos DB (the process started here) and Azurite (its child).</summary>
    public IReadOnlyList<int> ProcessIds { get; }

    public string BlobConnectionString { get; }

    /// <summary>Every request the Cosmos emulator served, whoever sent it (the app or the benchmark).</summary>
    public CosmosRequestLog RequestLog => _requestLog ?? throw new InvalidOperationException("The emulators were started without their request log.");

    public static async Task<Emulators> StartAsync(string root, bool logRequests = false)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.Combine(root, "emulators"),
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["start.js", "--cosmos-port", "0", "--blob-port", "0", "--queue-port", "0", "--table-port", "0", "--exit-on-stdin-close"])
        {
            start.ArgumentList.Add(arg);
        }

        // The patched emulator writes one stderr line per request when this is set (emulators/patches).
        if (logRequests)
        {
            start.Environment["TRACEWAY_COSMOS_DEBUG"] = "1";
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var ready = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The emulators did not start.");
        if (!ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The emulators did not start: " + ready);
        }

        using var json = JsonDocument.Parse(ready["READY ".Length..]);
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return new Emulators(process, json.RootElement, logRequests);
    }

    /// <summary>A Cosmos client made as the app makes its own (the baseline must not differ in settings).</summary>
    public CosmosClient CreateCosmosClient() =>
        StorageServiceCollectionExtensions.CreateCosmosClient(
            new CosmosOptions { AccountEndpoint = CosmosEndpoint, Key = CosmosKey }, () => throw new InvalidOperationException("The emulator takes a key."), []);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
