using System.Net;
using Azure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Azure.Cosmos;

namespace Traceway.Hosting;

/// <summary>
/// Turns a store that throttles or does not answer into 429/503 with Retry-After, and anything else
/// unexpected into a plain 500 problem: never a stack trace to the caller.
/// </summary>
internal sealed partial class StoreFaultHandler(ILogger<StoreFaultHandler> logger) : IExceptionHandler
{
    /// <summary>Standalone: the exception handler middleware's hook.</summary>
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        await Answer(httpContext, exception).ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>The answer to a request that failed with <paramref name="exception"/>; both hostings use it.</summary>
    public IResult Answer(HttpContext httpContext, Exception exception)
    {
        var (status, retryAfter) = Classify(exception);
        if (status == StatusCodes.Status500InternalServerError)
        {
            LogUnexpected(logger, exception);
        }

        if (retryAfter is { } seconds)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(
            statusCode: status,
            title: status == 500 ? "Unexpected error" : "The store is busy or unavailable",
            detail: status == 500 ? "The request failed unexpectedly; it has been logged." : "Nothing was stored or read. Retry after the time in Retry-After.");
    }

    /// <summary>The HTTP status for a store failure: 429 when throttled, 503 when unavailable or timed out.</summary>
    public static (int Status, int? RetryAfterSeconds) Classify(Exception exception) => exception switch
    {
        CosmosException { StatusCode: HttpStatusCode.TooManyRequests } e => (429, RetrySeconds(e.RetryAfter)),
        CosmosException { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout or HttpStatusCode.Gone or HttpStatusCode.InternalServerError } => (503, 5),
        CosmosOperationCanceledException or TimeoutException or HttpRequestException => (503, 5),
        RequestFailedException { Status: 429 or 503 or 500 or 408 or 0 } => (503, 5),
        _ => (500, null),
    };

    private static int RetrySeconds(TimeSpan? retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter?.TotalSeconds ?? 1));

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
