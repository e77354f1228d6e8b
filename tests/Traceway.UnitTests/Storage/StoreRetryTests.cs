using System.Net;
using Traceway.Storage;

namespace Traceway.Tests.Storage;

/// <summary>The retry helper with a recording delay: no test sleeps.</summary>
public sealed class StoreRetryTests
{
    private static readonly RetryPolicy FourAttempts = new(MaxAttempts: 4, Step: TimeSpan.FromMilliseconds(100));

    private readonly List<TimeSpan> _waits = [];
    private readonly StoreRetry _retry;

    public StoreRetryTests() => _retry = new StoreRetry((wait, _) =>
    {
        _waits.Add(wait);
        return Task.CompletedTask;
    });

    [Fact]
    public async Task An_attempt_that_succeeds_at_once_runs_once_and_never_waits()
    {
        var calls = 0;

        var result = await _retry.RunAsync(FourAttempts, "doc", _ => Task.FromResult(Attempt<string>.Done($"call {++calls}")), CancellationToken.None);

        Assert.Equal(("call 1", 1), (result, calls));
        Assert.Empty(_waits);
    }

    [Fact]
    public async Task A_raced_attempt_is_tried_again_waiting_longer_after_each_race()
    {
        var outcomes = new Queue<Attempt<int>>([Attempt<int>.Again, Attempt<int>.Again, Attempt<int>.Done(42)]);

        var result = await _retry.RunAsync(FourAttempts, "doc", _ => Task.FromResult(outcomes.Dequeue()), CancellationToken.None);

        Assert.Equal(42, result);
        Assert.Equal(2, _waits.Count);
        // After race n the wait is between half and all of n × 100 ms.
        Assert.InRange(_waits[0].TotalMilliseconds, 50, 100);
        Assert.InRange(_waits[1].TotalMilliseconds, 100, 200);
    }

    [Fact]
    public async Task When_every_attempt_races_it_gives_up_after_the_policys_attempts_with_a_transient_contention_error()
    {
        var calls = 0;

        var error = await Assert.ThrowsAsync<StoreContentionException>(() =>
            _retry.RunAsync(FourAttempts, "Document t:1", _ => Task.FromResult(++calls > 0 ? Attempt<int>.Again : Attempt<int>.Done(0)), CancellationToken.None));

        Assert.Equal((4, 3), (calls, _waits.Count));
        Assert.Contains("Document t:1", error.Message, StringComparison.Ordinal);
        Assert.True(StoreErrors.IsTransient(error));
    }

    [Fact]
    public async Task A_store_that_stays_unavailable_is_tried_three_times_then_its_error_reaches_the_caller()
    {
        var calls = 0;
        var fault = StoreFaults.Cosmos(HttpStatusCode.ServiceUnavailable);

        var thrown = await Assert.ThrowsAnyAsync<Microsoft.Azure.Cosmos.CosmosException>(() =>
            _retry.RunAsync<int>(FourAttempts, "doc", _ => ++calls > 0 ? throw fault : Task.FromResult(Attempt<int>.Done(0)), CancellationToken.None));

        Assert.Same(fault, thrown);
        Assert.Equal((3, 2), (calls, _waits.Count));
    }

    [Fact]
    public async Task A_fault_that_clears_is_retried_after_at_least_the_wait_the_store_asked_for()
    {
        var calls = 0;

        var result = await _retry.RunAsync(FourAttempts, "doc", _ => ++calls == 1
            ? throw StoreFaults.Cosmos(HttpStatusCode.ServiceUnavailable, TimeSpan.FromMilliseconds(700))
            : Task.FromResult(Attempt<string>.Done("stored")), CancellationToken.None);

        Assert.Equal(("stored", 2), (result, calls));
        Assert.True(Assert.Single(_waits) >= TimeSpan.FromMilliseconds(700), $"waited {_waits[0]}");
    }

    [Fact]
    public async Task A_fault_asking_for_a_longer_wait_than_a_request_can_afford_goes_straight_back_to_the_caller()
    {
        var calls = 0;

        await Assert.ThrowsAnyAsync<Microsoft.Azure.Cosmos.CosmosException>(() =>
            _retry.RunAsync<int>(FourAttempts, "doc", _ => ++calls > 0 ? throw StoreFaults.Cosmos(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30)) : Task.FromResult(Attempt<int>.Done(0)), CancellationToken.None));

        Assert.Equal(1, calls);
        Assert.Empty(_waits);
    }

    public static TheoryData<string, Exception> NotRetried => new()
    {
        { "throttling, which the SDK has already retried", StoreFaults.Cosmos(HttpStatusCode.TooManyRequests) },
        { "a refusal", StoreFaults.Cosmos(HttpStatusCode.Forbidden) },
        { "a document too large", StoreFaults.Cosmos(HttpStatusCode.RequestEntityTooLarge) },
        { "a bug", new InvalidOperationException("bug") },
    };

    [Theory]
    [MemberData(nameof(NotRetried))]
    public async Task Throttling_refusals_and_bugs_are_not_retried(string because, Exception fault)
    {
        var calls = 0;

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() =>
            _retry.RunAsync<int>(FourAttempts, "doc", _ => ++calls > 0 ? throw fault : Task.FromResult(Attempt<int>.Done(0)), CancellationToken.None));

        Assert.Same(fault, thrown);
        Assert.True(calls == 1, because);
        Assert.Empty(_waits);
    }

    [Fact]
    public async Task The_callers_own_cancellation_ends_the_loop_at_once()
    {
        using var cancellation = new CancellationTokenSource();
        var calls = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _retry.RunAsync<int>(FourAttempts, "doc", ct =>
        {
            calls++;
            cancellation.Cancel();
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(Attempt<int>.Done(0));
        }, cancellation.Token));

        Assert.Equal(1, calls);
        Assert.Empty(_waits);
    }
}
