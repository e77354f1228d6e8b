namespace Traceway.Storage;

/// <summary>How often a step may lose a race (412, a conflict, a not-yet-visible write) and how long to back off.</summary>
internal readonly record struct RetryPolicy(int MaxAttempts, TimeSpan Step);

/// <summary>One attempt's outcome: done with a value, or raced and to be tried again.</summary>
internal readonly record struct Attempt<T>(bool IsDone, T Value)
{
    public static Attempt<T> Again => default;

    public static Attempt<T> Done(T value) => new(true, value);
}

/// <summary>
/// The one retry loop over the store. An attempt that reports a race is tried again up to the policy's attempts, with a
/// growing, jittered backoff so racing writers spread out. A transient fault is tried again at most
/// <see cref="MaxFaultAttempts"/> times, after at least the wait the store asked for; throttling is not, because the
/// Cosmos SDK has already spent its own throttle retries (Traceway:Cosmos:MaxThrottleRetrySeconds) before it throws,
/// and a fault whose wait is longer than <see cref="MaxFaultWait"/> goes back to the caller, who answers with Retry-After.
/// Anything else, and the caller's own cancellation, end the loop at once.
/// </summary>
internal sealed class StoreRetry
{
    public const int MaxFaultAttempts = 3;
    public static readonly TimeSpan FaultStep = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan MaxFaultWait = TimeSpan.FromSeconds(1);

    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    public StoreRetry()
        : this(Task.Delay)
    {
    }

    /// <summary>Tests pass a delay that records instead of sleeping.</summary>
    internal StoreRetry(Func<TimeSpan, CancellationToken, Task> delay) => _delay = delay;

    /// <summary>Runs <paramref name="attempt"/> until it is done; throws <see cref="StoreContentionException"/> when every attempt raced.</summary>
    public async Task<T> RunAsync<T>(RetryPolicy policy, string what, Func<CancellationToken, Task<Attempt<T>>> attempt, CancellationToken cancellationToken)
    {
        var races = 0;
        var faults = 0;
        while (true)
        {
            TimeSpan wait;
            try
            {
                var outcome = await attempt(cancellationToken);
                if (outcome.IsDone)
                {
                    return outcome.Value;
                }

                if (++races >= policy.MaxAttempts)
                {
                    throw new StoreContentionException($"{what} kept changing over {policy.MaxAttempts} attempts.");
                }

                wait = Backoff(policy.Step, races);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsRetryableFault(e) && ++faults < MaxFaultAttempts)
            {
                wait = Max(StoreErrors.RetryAfter(e) ?? TimeSpan.Zero, Backoff(FaultStep, faults));
            }

            await _delay(wait, cancellationToken);
        }
    }

    private static bool IsRetryableFault(Exception e) =>
        StoreErrors.Classify(e) == StoreFault.Unavailable && e is not StoreContentionException && (StoreErrors.RetryAfter(e) ?? TimeSpan.Zero) <= MaxFaultWait;

    /// <summary>Linear in the number of tries so far, scaled by a random half to whole, so that racers do not collide again.</summary>
    private static TimeSpan Backoff(TimeSpan step, int tries) => step * tries * (0.5 + (Random.Shared.NextDouble() / 2));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
