using System.Net;
using Azure;
using Microsoft.Azure.Cosmos;
using Traceway.Storage;

namespace Traceway.Tests.Storage;

public sealed class StoreErrorsTests
{
    public static TheoryData<string, Exception, string> Faults => new()
    {
        { "Cosmos 429", StoreFaults.Cosmos(HttpStatusCode.TooManyRequests), nameof(StoreFault.Throttled) },
        { "Blob 429", new RequestFailedException(429, "throttled"), nameof(StoreFault.Throttled) },
        { "Cosmos 503", StoreFaults.Cosmos(HttpStatusCode.ServiceUnavailable), nameof(StoreFault.Unavailable) },
        { "Cosmos 408", StoreFaults.Cosmos(HttpStatusCode.RequestTimeout), nameof(StoreFault.Unavailable) },
        { "Cosmos 410", StoreFaults.Cosmos(HttpStatusCode.Gone), nameof(StoreFault.Unavailable) },
        { "Cosmos 449 retry-with", StoreFaults.Cosmos((HttpStatusCode)449), nameof(StoreFault.Unavailable) },
        { "Cosmos 500", StoreFaults.Cosmos(HttpStatusCode.InternalServerError), nameof(StoreFault.Unavailable) },
        { "Blob 503", new RequestFailedException(503, "unavailable"), nameof(StoreFault.Unavailable) },
        { "Blob without an answer", new RequestFailedException(0, "no response"), nameof(StoreFault.Unavailable) },
        { "network error", new HttpRequestException("connection reset"), nameof(StoreFault.Unavailable) },
        { "timeout", new TimeoutException(), nameof(StoreFault.Unavailable) },
        { "cancellation", new OperationCanceledException(), nameof(StoreFault.Unavailable) },
        { "an exhausted race", new StoreContentionException("kept changing"), nameof(StoreFault.Unavailable) },
        { "Cosmos 413", StoreFaults.Cosmos(HttpStatusCode.RequestEntityTooLarge), nameof(StoreFault.TooLarge) },
        { "Cosmos 403", StoreFaults.Cosmos(HttpStatusCode.Forbidden), nameof(StoreFault.Refused) },
        { "Blob 404", new RequestFailedException(404, "no container"), nameof(StoreFault.Refused) },
        { "a bug", new InvalidOperationException("bug"), nameof(StoreFault.None) },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void Each_store_failure_falls_in_one_fault_kind(string because, Exception exception, string expected) =>
        Assert.True(expected == StoreErrors.Classify(exception).ToString(), $"{because}: {StoreErrors.Classify(exception)}");

    [Theory]
    [MemberData(nameof(Faults))]
    public void Only_throttling_and_unavailability_are_transient(string because, Exception exception, string fault) =>
        Assert.True((fault is nameof(StoreFault.Throttled) or nameof(StoreFault.Unavailable)) == StoreErrors.IsTransient(exception), because);

    [Fact]
    public void A_throttled_request_answers_429_retrying_after_the_stores_wait_rounded_up_to_whole_seconds() =>
        Assert.Equal((429, (int?)3), StoreErrors.RequestAnswer(StoreFaults.Cosmos(HttpStatusCode.TooManyRequests, TimeSpan.FromMilliseconds(2100))));

    [Fact]
    public void An_unavailable_store_answers_503_retrying_after_five_seconds() =>
        Assert.Equal((503, (int?)5), StoreErrors.RequestAnswer(new TimeoutException()));

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    public void A_refusal_that_retrying_cannot_fix_answers_500_without_Retry_After(HttpStatusCode status) =>
        Assert.Equal((500, (int?)null), StoreErrors.RequestAnswer(StoreFaults.Cosmos(status)));
}
