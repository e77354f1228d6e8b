using System.Diagnostics;
using System.Text.Json;

namespace Traceway.Benchmarks;

/// <summary>
/// The local emulators (Cosmos DB and Azurite) in one Node process on free loopback ports, as the local run
/// starts them, with the Cosmos emulator's request log on so <see cref="CosmosRequestLog"/> can count requests.
/// </summary>
internal sealed class Emulators : IAsyncDisposable
{
    public const string CosmosKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private const string AzuriteAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;

    private Emulators(Process process, Uri cosmosEndpoint, int blobPort)
    {
        _process = process;
        CosmosEndpoint = cosmosEndpoint;
        BlobConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteAccountKey};BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;";
        RequestLog = new CosmosRequestLog(process.StandardError);
    }

    public Uri CosmosEndpoint { get; }

    public string BlobConnectionString { get; }

    /// <summary>Every request the Cosmos emulator served, whoever sent it (the app or the benchmark).</summary>
    public CosmosRequestLog RequestLog { get; }

    public static async Task<Emulators> StartAsync(string root)
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
        start.Environment["TRACEWAY_COSMOS_DEBUG"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var ready = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The emulators did not start.");
        var ports = JsonDocument.Parse(ready["READY ".Length..]).RootElement;
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return new Emulators(process, new Uri($"https://127.0.0.1:{ports.GetProperty("cosmos").GetInt32()}/"), ports.GetProperty("blob").GetInt32());
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
}
