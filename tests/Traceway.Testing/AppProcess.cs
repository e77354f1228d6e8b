using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Traceway.Testing;

/// <summary>
/// The app as its own process (as a user, the Functions host or a benchmark starts it) on the emulators, stopped
/// by its id. Its output is kept for the test that reads it.
/// </summary>
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

    public int ProcessId => _process.Id;

    /// <summary>The app built beside the calling test assembly (a project reference copies it there).</summary>
    public static string BuiltApp => Path.Combine(AppContext.BaseDirectory, "Traceway.Functions.dll");

    /// <summary>Starts the built app with the shared emulators' settings, overridden by <paramref name="environment"/>.</summary>
    public static Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> environment) =>
        StartAsync(BuiltApp, [], environment);

    /// <summary>Starts the app in <paramref name="assembly"/> (built or published) with <paramref name="arguments"/>, the shared emulators' settings and <paramref name="environment"/>.</summary>
    public static async Task<AppProcess> StartAsync(string assembly, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        Start(assembly, arguments, (await LocalEmulators.Shared).AppSettings("process-" + Guid.NewGuid().ToString("N")), environment);

    /// <summary>Starts the app in <paramref name="assembly"/> with <paramref name="settings"/> and then <paramref name="environment"/> as its environment.</summary>
    public static AppProcess Start(string assembly, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings.Concat(environment))
        {
            start.Environment[key] = value;
        }

        return new AppProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started."));
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

    /// <summary>Like <see cref="PollHealthAsync"/>, but anything other than a healthy answer in time is an error that carries the app's output.</summary>
    public async Task WaitUntilHealthyAsync(int port, TimeSpan timeout)
    {
        var status = await PollHealthAsync(port, timeout);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The app did not become healthy on port {port} within {timeout.TotalSeconds:0} s (health: {status?.ToString() ?? "no answer"}): {await OutputAsync()}");
        }
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
