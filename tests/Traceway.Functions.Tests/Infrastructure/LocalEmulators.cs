using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

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

    public ValueTask DisposeAsync()
    {
        Stop(_process);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<LocalEmulators> StartAsync()
    {
        // TRACEWAY_EMULATORS_DIR points the tests at another install, e.g. an unpatched one to show what the patch fixes.
        var directory = Environment.GetEnvironmentVariable("TRACEWAY_EMULATORS_DIR") ?? RepositoryPaths.Emulators;
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new InvalidOperationException($"The emulators are not installed in {directory}: run ./test.sh, or `npm ci` in emulators/.");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "start.js", "--cosmos-port", "0", "--blob-port", "0", "--queue-port", "0", "--table-port", "0", "--exit-on-stdin-close",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);

        // Port 0 everywhere: the emulators pick free ports and report them, so parallel runs never collide.
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                _ = DrainAsync(process.StandardOutput);
                var ports = JsonDocument.Parse(line["READY ".Length..]).RootElement;
                return new LocalEmulators(process, ports.GetProperty("cosmos").GetInt32(), ports.GetProperty("blob").GetInt32());
            }
        }

        Stop(process);
        throw new InvalidOperationException("The emulators exited before they were ready: " + await stderr);
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    private static async Task DrainAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is not null)
        {
        }
    }
}
