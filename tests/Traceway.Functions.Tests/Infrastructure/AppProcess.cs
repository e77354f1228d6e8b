using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Traceway.Tests.Infrastructure;

/// <summary>The built app as its own process (as a user or the Functions host starts it), stopped by its id.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly Task<string> _stdout;

    private AppProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the built app with the emulators' settings, overridden by <paramref name="environment"/>.</summary>
    public static Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> environment) =>
        StartAsync(Path.Combine(AppContext.BaseDirectory, "Traceway.Functions.dll"), [], environment);

    /// <summary>Starts the app in <paramref name="assembly"/> (built or published) with <paramref name="arguments"/>, the emulators' settings and <paramref name="environment"/>.</summary>
    public static Task<AppProcess> StartAsync(string assembly, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(assembly)! };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return StartAsync(start, environment);
    }

    private static async Task<AppProcess> StartAsync(ProcessStartInfo start, IReadOnlyDictionary<string, string> environment)
    {
        var emulators = await LocalEmulators.Shared;
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["Traceway__Cosmos__AccountEndpoint"] = emulators.CosmosEndpoint.ToString();
        start.Environment["Traceway__Cosmos__Key"] = emulators.CosmosKey;
        start.Environment["Traceway__Cosmos__DatabaseName"] = "process-" + Guid.NewGuid().ToString("N");
        start.Environment["Traceway__Blob__ConnectionString"] = emulators.BlobConnectionString;
        start.Environment["Traceway__ProvisionStorage"] = "true";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new AppProcess(Process.Start(start)!);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits for the process to end by itself and returns its exit code and everything it printed.</summary>
    public async Task<(int ExitCode, string Output)> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return (_process.ExitCode, await _stdout + await _stderr);
    }

    /// <summary>Polls <c>/api/health</c> on <paramref name="port"/> until it answers (its status) or the time is up or the process ended (null).</summary>
    public async Task<HttpStatusCode?> PollHealthAsync(int port, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }

        return null;
    }

    public async Task<string> OutputAsync() => _process.HasExited ? await _stdout + await _stderr : "(still running)";

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
