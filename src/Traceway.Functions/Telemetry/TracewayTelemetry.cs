using System.Diagnostics;
using System.Diagnostics.Metrics;
using Traceway.Ingestion;

namespace Traceway.Telemetry;

/// <summary>
/// Traceway's own telemetry, for the operators of a deployment rather than its tenants: what ingestion accepts and
/// rejects (by project, format and reason), how long storing a request takes, when the store throttles, how far
/// rollups lag behind the change feed (changes pending, from the estimator, and the age of each batch's oldest
/// change), and which projects are held to their ingest limit. One meter and one
/// activity source, both named <see cref="Name"/>; <see cref="TelemetryRegistration"/> exports them.
/// </summary>
internal sealed class TracewayTelemetry : IDisposable
{
    public const string Name = "Traceway";

    private readonly Meter _meter;
    private readonly Counter<long> _items;
    private readonly Histogram<double> _ingestDuration;
    private readonly Counter<long> _storeThrottled;
    private readonly Counter<long> _limitedRequests;
    private readonly Histogram<double> _rollupDelay;

    public TracewayTelemetry(IMeterFactory meters, RollupLag? lag = null)
    {
        _meter = meters.Create(Name);
        _items = _meter.CreateCounter<long>("traceway.ingest.items", "{item}", "Traces and spans ingested: outcome accepted or rejected, with the reason of a rejection");
        _ingestDuration = _meter.CreateHistogram<double>("traceway.ingest.duration", "ms", "Time to store one ingest request's items (after parsing)");
        _storeThrottled = _meter.CreateCounter<long>("traceway.store.throttled", "{request}", "Store requests still throttled after the Cosmos SDK's own retries, by operation");
        _limitedRequests = _meter.CreateCounter<long>("traceway.ingest.limited", "{request}", "Ingest requests refused with 429 because their project passed its ingest limit");
        _rollupDelay = _meter.CreateHistogram<double>("traceway.rollup.delay", "s", "Age of the oldest change of a change feed batch when its rollup starts");
        _meter.CreateObservableGauge("traceway.rollup.lag", () => lag?.Measure() ?? [], "{change}", "Changes of the traces container not rolled up yet (the change feed estimator's sum over leases)");
    }

    public static ActivitySource Activities { get; } = new(Name);

    /// <summary>Counts a request's items: the stored ones accepted, every other one rejected with why.</summary>
    public void Ingested(string projectId, string format, int itemCount, IReadOnlyList<ItemError> errors, TimeSpan elapsed)
    {
        var accepted = itemCount - errors.Count;
        if (accepted > 0)
        {
            _items.Add(accepted, new("project", projectId), new("format", format), new("outcome", "accepted"), new("reason", "stored"));
        }

        foreach (var group in errors.GroupBy(Reason))
        {
            _items.Add(group.Count(), new("project", projectId), new("format", format), new("outcome", "rejected"), new("reason", group.Key));
        }

        _ingestDuration.Record(elapsed.TotalMilliseconds, new("project", projectId), new("format", format));
    }

    public void RollupStarted(TimeSpan oldestChangeAge) => _rollupDelay.Record(Math.Max(0, oldestChangeAge.TotalSeconds));

    /// <summary>A store request throttled past the SDK's retries; <paramref name="projectId"/> when one project's write it was.</summary>
    public void StoreThrottled(string operation, string? projectId = null) => _storeThrottled.Add(1, new("operation", operation), new("project", projectId));

    public void IngestLimited(string projectId, string format) => _limitedRequests.Add(1, new("project", projectId), new("format", format));

    public void Dispose() => _meter.Dispose();

    private static string Reason(ItemError error) => error switch
    {
        { Throttled: true } => "throttled",
        { Status: 409 } => "conflict",
        { Status: 503 } => "unavailable",
        _ => "invalid",
    };
}
