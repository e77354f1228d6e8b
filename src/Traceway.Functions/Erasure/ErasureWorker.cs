using Microsoft.Extensions.Options;

namespace Traceway.Erasure;

/// <summary>
/// Runs erasure jobs in the app (both hostings), as the change feed processor runs rollups: it wakes when a job is
/// accepted here and every <see cref="ErasureOptions.PollSeconds"/>, and takes any running job whose lease has expired,
/// so a job accepted by an instance that stopped is finished by another (or by the same after a restart).
/// </summary>
internal sealed partial class ErasureWorker(ErasureJobs jobs, IOptions<ErasureOptions> options, ILogger<ErasureWorker> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly string _owner = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>A job was just accepted: look now rather than at the next poll.</summary>
    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var job in await jobs.UnclaimedAsync(lease, stoppingToken))
                {
                    await jobs.RunAsync(job, _owner, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The job keeps its state; its lease expires and it is taken up again.
                LogFailed(logger, e);
            }

            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An erasure job failed; it will be taken up again when its lease expires")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
