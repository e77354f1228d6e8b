using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using Traceway.Storage;
using Traceway.Telemetry;

namespace Traceway.Rollups;

/// <summary>
/// The Cosmos SDK change feed processor on the <c>traces</c> container (what a cosmosDBTrigger wraps), hosted in
/// the app in both hostings; it hands each batch to <see cref="RollupHandler"/>. Instances share the work
/// through leases; one that stops or crashes has its leases taken over once they expire.
/// </summary>
internal sealed partial class ChangeFeedRollups(
    TracewayStores stores, RollupHandler handler, TracewayTelemetry telemetry, IOptions<RollupOptions> options, ILogger<ChangeFeedRollups> logger) : IHostedService
{
    private ChangeFeedProcessor? _processor;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        _processor = stores.Traces
            .GetChangeFeedProcessorBuilder<JsonElement>(settings.ProcessorName, HandleChangesAsync)
            // Unique per processor, even for two in one process: a lease owned by a stopped processor's name is not taken over.
            .WithInstanceName($"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}")
            .WithLeaseContainer(stores.Leases)
            .WithPollInterval(TimeSpan.FromMilliseconds(settings.PollIntervalMs))
            .WithMaxItems(settings.MaxItemsPerBatch)
            // A lease whose renewal failed (store hiccup) is taken back within seconds, not the SDK's default minute.
            .WithLeaseConfiguration(acquireInterval: TimeSpan.FromSeconds(2), expirationInterval: TimeSpan.FromSeconds(15), renewInterval: TimeSpan.FromSeconds(4))
            // From the beginning the first time, so nothing stored before the first start is missed; leases remember after.
            .WithStartTime(DateTime.MinValue.ToUniversalTime())
            .WithErrorNotification((lease, error) =>
            {
                LogBatchFailed(logger, lease, error);
                if (StoreErrors.Classify(error) == StoreFault.Throttled)
                {
                    telemetry.StoreThrottled("rollup");
                }

                return Task.CompletedTask;
            })
            .Build();
        await _processor.StartAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_processor is not null)
        {
            await _processor.StopAsync();
        }
    }

    // Throwing makes the processor deliver the batch again: a rollup that failed is retried, not skipped.
    private async Task HandleChangesAsync(ChangeFeedProcessorContext context, IReadOnlyCollection<JsonElement> changes, CancellationToken cancellationToken)
    {
        using var activity = TracewayTelemetry.Activities.StartActivity("rollup");
        activity?.SetTag("traceway.rollup.changes", changes.Count);
        if (changes.Select(c => c.TryGetProperty("_ts", out var ts) && ts.TryGetInt64(out var seconds) ? seconds : long.MaxValue).Min() is var oldest and < long.MaxValue)
        {
            telemetry.RollupStarted(DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(oldest));
        }

        await handler.HandleAsync(changes, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollup of a change feed batch failed (lease {Lease}); it will be delivered again")]
    private static partial void LogBatchFailed(ILogger logger, string lease, Exception error);
}
