using System.Globalization;

namespace Traceway.Benchmarks;

/// <summary>
/// Samples a process's resident memory from /proc/&lt;pid&gt;/status every few milliseconds, keeping the highest
/// VmRSS seen; VmHWM is the kernel's own high-water mark over the process's life.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly int _processId;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private MemorySampler(int processId, TimeSpan interval)
    {
        _processId = processId;
        _sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            do
            {
                PeakRssBytes = Math.Max(PeakRssBytes, Read("VmRSS"));
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        });
    }

    public long PeakRssBytes { get; private set; }

    public long HighWaterMarkBytes => Read("VmHWM");

    public static MemorySampler Start(int processId) => new(processId, TimeSpan.FromMilliseconds(20));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _sampling;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private long Read(string field)
    {
        // e.g. "VmRSS:	  123456 kB"
        var line = File.ReadLines($"/proc/{_processId}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
