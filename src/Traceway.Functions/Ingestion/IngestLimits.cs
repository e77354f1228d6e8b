using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Traceway.Projects;
using Traceway.Telemetry;

namespace Traceway.Ingestion;

/// <summary>
/// Per-project ingest limits, checked by both ingest formats after parsing and before anything is stored: a token
/// bucket of spans per project on this instance (System.Threading.RateLimiting), refilled continuously at the
/// project's <see cref="IngestLimit.SpansPerSecond"/> up to its <see cref="IngestLimit.Burst"/>.
/// </summary>
internal sealed class IngestLimits(ProjectStore projects, IOptions<IngestOptions> options, TracewayTelemetry telemetry) : IDisposable
{
    // One bucket per project and setting: a changed setting starts a new bucket, and the old one, idle, is disposed by the limiter.
    private readonly PartitionedRateLimiter<Bucket> _buckets = PartitionedRateLimiter.Create<Bucket, Bucket>(bucket =>
        RateLimitPartition.GetTokenBucketLimiter(bucket, b => new TokenBucketRateLimiterOptions
        {
            TokenLimit = b.Limit.Burst,
            TokensPerPeriod = b.Limit.SpansPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        }));

    /// <summary>
    /// Refuses a request before its body is read when the project's bucket is empty, so that a project sending far over
    /// its limit costs little more than its key check; null when the request may go on to be read and counted. The wait
    /// is the time to refill the whole bucket, since the request's size is not known yet.
    /// </summary>
    public async Task<TimeSpan?> RefuseWhenEmptyAsync(string projectId, string format, CancellationToken cancellationToken)
    {
        if (await LimitAsync(projectId, cancellationToken) is not { } limit)
        {
            return null;
        }

        // Zero permits takes nothing: it only asks whether any token is left.
        using var lease = _buckets.AttemptAcquire(new Bucket(projectId, limit), 0);
        if (lease.IsAcquired)
        {
            return null;
        }

        // The request's size is unknown yet: the time to refill the whole bucket lets any request that can pass through.
        telemetry.IngestLimited(projectId, format);
        return TimeSpan.FromSeconds((double)limit.Burst / limit.SpansPerSecond);
    }

    /// <summary>
    /// Takes <paramref name="spans"/> from the project's bucket; null when the request may go on, else how long to wait
    /// before retrying. A request of more spans than the burst takes the whole (full) bucket, so it can pass.
    /// </summary>
    public async Task<TimeSpan?> RefuseAsync(string projectId, string format, int spans, CancellationToken cancellationToken)
    {
        if (spans == 0 || await LimitAsync(projectId, cancellationToken) is not { } limit)
        {
            return null;
        }

        using var lease = _buckets.AttemptAcquire(new Bucket(projectId, limit), Math.Min(spans, limit.Burst));
        return lease.IsAcquired ? null : Refused(lease, projectId, format);
    }

    /// <summary>
    /// Whole seconds for a <c>Retry-After</c> header, rounded up, counting the partitioned limiter's refill tick (every
    /// 100 ms): a client that waits exactly this long finds the tokens there.
    /// </summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling((wait + RefillTick).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose() => _buckets.Dispose();

    private static readonly TimeSpan RefillTick = TimeSpan.FromMilliseconds(100);

    private TimeSpan Refused(RateLimitLease lease, string projectId, string format)
    {
        telemetry.IngestLimited(projectId, format);
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    private async Task<IngestLimit?> LimitAsync(string projectId, CancellationToken cancellationToken)
    {
        if ((await projects.FindProjectCachedAsync(projectId, cancellationToken))?.IngestLimit is { } own)
        {
            return own;
        }

        var settings = options.Value;
        return settings.DefaultSpansPerSecond == 0
            ? null
            : new IngestLimit(settings.DefaultSpansPerSecond, settings.DefaultBurst == 0 ? 2 * settings.DefaultSpansPerSecond : settings.DefaultBurst);
    }

    private sealed record Bucket(string ProjectId, IngestLimit Limit);
}
