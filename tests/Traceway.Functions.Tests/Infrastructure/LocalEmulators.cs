using System.Diagnostics;
using System.Text.Json;

namespace Traceway.Tests.Infrastructure;

/// <summary>
/// The Cosmos DB and Azurite emulators (emulators/start.js), started once per test run on free loopback
/// ports and stopped by process id when the run ends. If the test process dies first, the emulator
/// process exits by itself when its standard input closes. Endpoints and keys come from the emulators' READY line
/// (emulators/start.js owns them; see emulators/README.md).
/// </summary>
internal sealed class LocalEmulators : IAsyncDisposable
{
    private static readonly Lazy<Task<LocalEmulators>> SharedInstance = new(StartAsync);

    private readonly Process _process;

    private LocalEmulators(Process process, JsonElement ready)
    {
        _process = process;
        var cosmos = ready.GetProperty("cosmos");
        CosmosEndpoint = new Uri(cosmos.GetProperty("endpoint").GetString()!);
        CosmosKey = cosmos.GetProperty("key").GetString()!;
        BlobConnectionString = ready.GetProperty("blob").GetProperty("connectionString").GetString()!;
    }

    public static Task<LocalEmulators> Shared => SharedInstance.Value;

    public Uri CosmosEndpoint { get; }

    /// <summary>The Cosmos DB emulator's well-known key (it accepts any key).</summary>
    public string CosmosKey { get; }

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
                using var ready = JsonDocument.Parse(line["READY ".Length..]);
                return new LocalEmulators(process, ready.RootElement);
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
