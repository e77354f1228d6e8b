using System.Diagnostics.Metrics;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using Traceway.Rollups;
using Traceway.Storage;

namespace Traceway.Telemetry;

/// <summary>
/// How many changes the rollups have still to process, from the Cosmos SDK's change feed estimator (it compares
/// each lease's continuation with the container's latest change). Read when the metric is collected, at most once
/// per <see cref="TelemetryOptions.LagRefreshSeconds"/>, so a busy exporter does not add store load. Registered
/// only where the change feed processor runs.
/// </summary>
internal sealed partial class RollupLag(TracewayStores stores, IOptions<RollupOptions> rollups, IOptions<TelemetryOptions> options, TimeProvider clock, ILogger<RollupLag> logger)
{
    private readonly Lock _gate = new();
    private long? _last;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private Task? _refreshing;

    /// <summary>The latest estimate (none before the first one is read).</summary>
    public IEnumerable<Measurement<long>> Measure()
    {
        lock (_gate)
        {
            if (_refreshing is null && clock.GetUtcNow() - _readAt >= TimeSpan.FromSeconds(options.Value.LagRefreshSeconds))
            {
                // Observable instruments are read synchronously: the estimate is refreshed in the background for the next read.
                _refreshing = Task.Run(RefreshAsync);
            }

            return _last is { } lag ? [new Measurement<long>(lag)] : [];
        }
    }

    /// <summary>Reads the estimate now; what <see cref="Measure"/> reports from then on.</summary>
    public async Task<long> RefreshAsync()
    {
        try
        {
            var estimator = stores.Traces.GetChangeFeedEstimator(rollups.Value.ProcessorName, stores.Leases);
            var total = 0L;
            using var iterator = estimator.GetCurrentStateIterator();
            while (iterator.HasMoreResults)
            {
                foreach (var lease in await iterator.ReadNextAsync())
                {
                    total += lease.EstimatedLag;
                }
            }

            lock (_gate)
            {
                (_last, _readAt) = (total, clock.GetUtcNow());
            }

            return total;
        }
        catch (Exception e) when (StoreErrors.Classify(e) is not StoreFault.None)
        {
            LogEstimateFailed(logger, e);
            return _last ?? 0;
        }
        finally
        {
            lock (_gate)
            {
                _refreshing = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The change feed estimator could not be read; the rollup lag metric keeps its last value")]
    private static partial void LogEstimateFailed(ILogger logger, Exception exception);
}
