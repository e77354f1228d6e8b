using System.Diagnostics;
using System.Globalization;

namespace Traceway.Benchmarks;

/// <summary>
/// CPU time used by each process of the local stack (emulator, app, benchmark) over measured windows, so the
/// report can say where the cost of an ingested span goes on a machine whose cores are all busy. A part of the stack
/// can be several processes (the emulators: Cosmos DB and Azurite); their times are summed.
/// </summary>
internal sealed class CpuTime(IReadOnlyDictionary<string, IReadOnlyList<int>> processes)
{
    private readonly Dictionary<string, TimeSpan> _used = processes.Keys.ToDictionary(p => p, _ => TimeSpan.Zero, StringComparer.Ordinal);

    public async Task<T> MeasureAsync<T>(Func<Task<T>> work)
    {
        var before = Read();
        var result = await work();
        foreach (var (process, used) in Read())
        {
            _used[process] += used - before[process];
        }

        return result;
    }

    /// <summary>Milliseconds of CPU per <paramref name="units"/> units of work, by process, e.g. "emulator 310 + app 150 = 460".</summary>
    public string Describe(double work, double units) =>
        string.Join(" + ", _used.Select(u => string.Create(CultureInfo.InvariantCulture, $"{u.Key} {u.Value.TotalMilliseconds / work * units:0}")))
        + string.Create(CultureInfo.InvariantCulture, $" = {_used.Values.Sum(u => u.TotalMilliseconds) / work * units:0}");

    public IReadOnlyDictionary<string, double> PerUnit(double work, double units) =>
        _used.ToDictionary(u => u.Key, u => Math.Round(u.Value.TotalMilliseconds / work * units, 1), StringComparer.Ordinal);

    private Dictionary<string, TimeSpan> Read() => processes.ToDictionary(p => p.Key, p => p.Value.Aggregate(TimeSpan.Zero, (total, id) =>
    {
        using var process = Process.GetProcessById(id);
        return total + process.TotalProcessorTime;
    }), StringComparer.Ordinal);
}
