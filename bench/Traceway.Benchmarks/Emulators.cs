using System.Diagnostics;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Storage;

namespace Traceway.Benchmarks;

/// <summary>
/// The local emulators (Cosmos DB and Azurite) in one Node process on free loopback ports, as the local run
/// starts them; optionally with the Cosmos emulator's request log on, so <see cref="CosmosRequestLog"/> can count
/// requests. The log costs the emulator about 15% of its throughput, so only the request count turns it on.
/// </summary>
internal sealed class Emulators : IAsyncDisposable
{
    public const string CosmosKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private const string AzuriteAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly CosmosRequestLog? _requestLog;

    private Emulators(Process process, Uri cosmosEndpoint, int blobPort, bool logRequests)
    {
        _process = process;
        CosmosEndpoint = cosmosEndpoint;
        BlobConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteAccountKey};BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;";
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

    public int ProcessId => _process.Id;

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
        var ports = JsonDocument.Parse(ready["READY ".Length..]).RootElement;
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return new Emulators(process, new Uri($"https://127.0.0.1:{ports.GetProperty("cosmos").GetInt32()}/"), ports.GetProperty("blob").GetInt32(), logRequests);
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
