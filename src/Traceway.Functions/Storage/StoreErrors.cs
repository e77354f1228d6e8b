using System.Net;
using Azure;
using Microsoft.Azure.Cosmos;

namespace Traceway.Storage;

/// <summary>What a failed Cosmos DB or Blob storage call means.</summary>
internal enum StoreFault
{
    /// <summary>Not a store error: a bug, which must surface as a 500.</summary>
    None,

    /// <summary>The store refused for load (429, after the SDK's own throttle retries).</summary>
    Throttled,

    /// <summary>The store did not answer, answered too late, or kept racing: the same call may succeed later.</summary>
    Unavailable,

    /// <summary>The document is larger than the store accepts: resending it cannot help.</summary>
    TooLarge,

    /// <summary>Any other refusal by the store (permissions, a bad request): logged, not retried.</summary>
    Refused,
}

/// <summary>
/// The one store-error classification: ingestion, rollups, the trace index and the HTTP fault answer all ask here.
/// Before, three places decided differently: the ingest writer counted 449 (retry-with) and every cancellation as
/// transient and a Blob 429 as "did not answer", the fault handler counted neither 449 nor a plain cancellation
/// and answered any other store error 500, and the rollup rebuild ended a lost race with a 500. The rule now:
/// Cosmos 429 and Blob 429 are <see cref="StoreFault.Throttled"/>; 408, 410, 449, 500, 503 (Blob: 0, 408, 500,
/// 503), timeouts, network errors, cancellations not asked for by the caller and exhausted races are
/// <see cref="StoreFault.Unavailable"/>; Cosmos 413 is <see cref="StoreFault.TooLarge"/>; other store errors are
/// <see cref="StoreFault.Refused"/>. Throttled and Unavailable are transient.
/// </summary>
internal static class StoreErrors
{
    public static StoreFault Classify(Exception exception) => exception switch
    {
        CosmosException { StatusCode: HttpStatusCode.TooManyRequests } or RequestFailedException { Status: 429 } => StoreFault.Throttled,
        CosmosException { StatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.Gone or HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable or (HttpStatusCode)449 }
            or RequestFailedException { Status: 0 or 408 or 500 or 503 }
            or StoreContentionException or HttpRequestException or TimeoutException or OperationCanceledException => StoreFault.Unavailable,
        CosmosException { StatusCode: HttpStatusCode.RequestEntityTooLarge } => StoreFault.TooLarge,
        CosmosException or RequestFailedException => StoreFault.Refused,
        _ => StoreFault.None,
    };

    /// <summary>The same call may succeed later.</summary>
    public static bool IsTransient(Exception exception) => Classify(exception) is StoreFault.Throttled or StoreFault.Unavailable;

    /// <summary>How long the store asked us to wait, when it said so.</summary>
    public static TimeSpan? RetryAfter(Exception exception) => exception is CosmosException { RetryAfter: { } wait } ? wait : null;

    /// <summary>
    /// The answer to a whole request that failed: 429 when throttled, 503 when unavailable (both with Retry-After
    /// seconds), 500 for anything else, a bug or a refusal that retrying cannot fix.
    /// </summary>
    public static (int Status, int? RetryAfterSeconds) RequestAnswer(Exception exception) => Classify(exception) switch
    {
        StoreFault.Throttled => (429, Math.Max(1, (int)Math.Ceiling(RetryAfter(exception)?.TotalSeconds ?? 1))),
        StoreFault.Unavailable => (503, 5),
        _ => (500, null),
    };
}

/// <summary>A write or read kept meeting concurrent changes past its retry budget; retrying later will do.</summary>
internal sealed class StoreContentionException(string message) : Exception(message);
