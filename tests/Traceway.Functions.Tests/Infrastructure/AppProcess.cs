using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Traceway.Tests.Infrastructure;

/// <summary>The built app as its own process (as the Functions host or a user starts it), stopped by its id.</summary>
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

    /// <summary>Starts the app with the emulators' settings, overridden by <paramref name="environment"/>.</summary>
    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Traceway.Functions.dll"));
        return await StartAsync(start, environment);
    }

    /// <summary>
    /// Starts a published executable of the app in <paramref name="workingDirectory"/>, as the Functions host
    /// starts a custom handler, with the emulators' settings overridden by <paramref name="environment"/>.
    /// </summary>
    public static Task<AppProcess> StartExecutableAsync(string executable, string workingDirectory, IReadOnlyDictionary<string, string> environment) =>
        StartAsync(new ProcessStartInfo(executable) { WorkingDirectory = workingDirectory }, environment);

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
