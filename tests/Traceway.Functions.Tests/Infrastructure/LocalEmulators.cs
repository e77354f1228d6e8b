using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Traceway.Tests.Infrastructure;

/// <summary>
/// The Cosmos DB and Azurite emulators (emulators/start.js), started once per test run on free loopback
/// ports and stopped by process id when the run ends. If the test process dies first, the emulator
/// process exits by itself when its standard input closes.
/// </summary>
internal sealed class LocalEmulators : IAsyncDisposable
{
    public const string CosmosKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    // Azurite's well-known development account.
    private const string BlobAccount = "devstoreaccount1";
    private const string BlobKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<LocalEmulators>> SharedInstance = new(StartAsync);

    private readonly Process _process;

    private LocalEmulators(Process process, int cosmosPort, int blobPort)
    {
        _process = process;
        CosmosEndpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{cosmosPort}/"));
        BlobConnectionString = string.Create(CultureInfo.InvariantCulture,
            $"DefaultEndpointsProtocol=http;AccountName={BlobAccount};AccountKey={BlobKey};BlobEndpoint=http://127.0.0.1:{blobPort}/{BlobAccount};");
    }

    public static Task<LocalEmulators> Shared => SharedInstance.Value;

    public Uri CosmosEndpoint { get; }

    public string BlobConnectionString { get; }

    public int ProcessId => _process.Id;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static async Task<LocalEmulators> StartAsync()
    {
        if (!Directory.Exists(Path.Combine(RepositoryPaths.Emulators, "node_modules")))
        {
            throw new InvalidOperationException("The emulators are not installed: run ./test.sh, or `npm ci` in emulators/.");
        }

        var (cosmos, blob, queue, table) = (FreePort(), FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.Emulators,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "start.js", "--cosmos-port", $"{cosmos}", "--blob-port", $"{blob}", "--queue-port", $"{queue}", "--table-port", $"{table}", "--exit-on-stdin-close",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var emulators = new LocalEmulators(process, cosmos, blob);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => emulators.DisposeAsync().AsTask().GetAwaiter().GetResult();

        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                _ = DrainAsync(process.StandardOutput);
                return emulators;
            }
        }

        await emulators.DisposeAsync();
        throw new InvalidOperationException("The emulators exited before they were ready: " + await stderr);
    }

    private static async Task DrainAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is not null)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
