using System.Diagnostics;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Storage;

namespace Traceway.Testing;

/// <summary>
/// The Cosmos DB and Azurite emulators (emulators/start.js) on free loopback ports, stopped by process id.
/// If the starting process dies first, the emulators exit by themselves when their standard input closes.
/// Endpoints and keys come from the emulators' READY line: emulators/start.js owns them (see emulators/README.md),
/// and <see cref="AppSettings"/> is the one place that hands them to the app.
/// </summary>
public sealed class LocalEmulators : IAsyncDisposable
{
    private static readonly Lazy<Task<LocalEmulators>> SharedInstance = new(() => StartAsync());

    private readonly Process _process;

    private LocalEmulators(Process process, JsonElement ready, StreamReader? requestLog)
    {
        _process = process;
        var cosmos = ready.GetProperty("cosmos");
        CosmosEndpoint = new Uri(cosmos.GetProperty("endpoint").GetString()!);
        CosmosKey = cosmos.GetProperty("key").GetString()!;
        BlobConnectionString = ready.GetProperty("blob").GetProperty("connectionString").GetString()!;
        ProcessIds = [.. ready.GetProperty("processes").EnumerateObject().Select(p => p.Value.GetInt32())];
        RequestLog = requestLog;
    }

    /// <summary>One instance per test run, started on first use and stopped when the test process exits.</summary>
    public static Task<LocalEmulators> Shared => SharedInstance.Value;

    public Uri CosmosEndpoint { get; }

    /// <summary>The Cosmos DB emulator's well-known key (it accepts any key).</summary>
    public string CosmosKey { get; }

    public string BlobConnectionString { get; }

    /// <summary>The emulators' processes: Cosmos DB (the process started here) and Azurite (its child).</summary>
    public IReadOnlyList<int> ProcessIds { get; }

    /// <summary>One line per request the Cosmos emulator served, when started with <c>logRequests</c>; otherwise null.</summary>
    public StreamReader? RequestLog { get; }

    /// <summary>
    /// Starts the emulators. <paramref name="logRequests"/> turns on the Cosmos emulator's request log, which costs it
    /// about 15% of its throughput, so only request counting asks for it.
    /// </summary>
    public static async Task<LocalEmulators> StartAsync(bool logRequests = false)
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

        // Port 0 everywhere: the emulators pick free ports and report them, so parallel runs never collide.
        foreach (var arg in (string[])["start.js", "--cosmos-port", "0", "--blob-port", "0", "--queue-port", "0", "--table-port", "0", "--exit-on-stdin-close"])
        {
            start.ArgumentList.Add(arg);
        }

        if (logRequests)
        {
            start.Environment["TRACEWAY_COSMOS_DEBUG"] = "1";
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);

        var stderr = logRequests ? null : process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                using var ready = JsonDocument.Parse(line["READY ".Length..]);
                return new LocalEmulators(process, ready.RootElement, logRequests ? process.StandardError : null);
            }
        }

        Stop(process);
        throw new InvalidOperationException("The emulators exited before they were ready: " + (stderr is null ? "" : await stderr));
    }

    /// <summary>The app's settings (as environment variables) that point it at these emulators and its own database.</summary>
    public Dictionary<string, string> AppSettings(string database) => new()
    {
        ["Traceway__Cosmos__AccountEndpoint"] = CosmosEndpoint.ToString(),
        ["Traceway__Cosmos__Key"] = CosmosKey,
        ["Traceway__Cosmos__DatabaseName"] = database,
        ["Traceway__Blob__ConnectionString"] = BlobConnectionString,
        ["Traceway__ProvisionStorage"] = "true",
    };

    /// <summary>A Cosmos client made as the app makes its own, so direct reads and baselines do not differ in settings.</summary>
    public CosmosClient CreateCosmosClient() =>
        StorageServiceCollectionExtensions.CreateCosmosClient(
            new CosmosOptions { AccountEndpoint = CosmosEndpoint, Key = CosmosKey }, () => throw new InvalidOperationException("The emulator takes a key."), []);

    public ValueTask DisposeAsync()
    {
        Stop(_process);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already stopped and disposed by DisposeAsync; the exit handler has nothing left to do.
        }
    }
}
