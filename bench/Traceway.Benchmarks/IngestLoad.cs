using System.Diagnostics;

namespace Traceway.Benchmarks;

/// <summary>What one side stored in a window, and how long each batch took.</summary>
internal sealed class LoadResult
{
    private readonly List<double> _batchMs = [];

    public long Traces { get; private set; }

    public long Spans { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    public IReadOnlyList<double> BatchMs => _batchMs;

    public double SpansPerSecond => Elapsed > TimeSpan.Zero ? Spans / Elapsed.TotalSeconds : 0;

    public void Add(LoadResult other)
    {
        Traces += other.Traces;
        Spans += other.Spans;
        Elapsed += other.Elapsed;
        _batchMs.AddRange(other._batchMs);
    }

    internal void Record(int traces, int spans, double milliseconds)
    {
        lock (_batchMs)
        {
            Traces += traces;
            Spans += spans;
            _batchMs.Add(milliseconds);
        }
    }

    internal void Finish(TimeSpan elapsed) => Elapsed = elapsed;
}

/// <summary>
/// Concurrent writers, each storing one batch of new turns after another until the window closes; the same
/// loop drives Traceway over HTTP and the baseline over the SDK, so only the store call differs.
/// </summary>
internal static class IngestLoad
{
    public static async Task<LoadResult> RunAsync(
        string name, int writers, int tracesPerBatch, TimeSpan window, Func<IReadOnlyList<GeneratedTrace>, Task> store)
    {
        var result = new LoadResult();
        var started = Stopwatch.GetTimestamp();
        var closes = started + (long)(window.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            // Unique ids per window and writer: every write is a create, as for new data.
            var generator = new TraceGenerator($"{name}-{Guid.NewGuid():N}", seed: writer);
            for (var batchNumber = 0; Stopwatch.GetTimestamp() < closes; batchNumber++)
            {
                // Four turns per session, spread over batches, as a live conversation sends them.
                var batch = Enumerable.Range(0, tracesPerBatch)
                    .Select(i => generator.Next($"{name}-w{writer}-c{((batchNumber * tracesPerBatch) + i) / 4}"))
                    .ToList();
                var sent = Stopwatch.GetTimestamp();
                await store(batch);
                result.Record(batch.Count, batch.Sum(t => t.Spans.Count), Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        })));
        result.Finish(Stopwatch.GetElapsedTime(started));
        return result;
    }
}
