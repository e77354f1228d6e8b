using Microsoft.AspNetCore.Diagnostics;
using Traceway.Storage;

namespace Traceway.Hosting;

/// <summary>
/// Turns a store that throttles or does not answer into 429/503 with Retry-After (<see cref="StoreErrors.RequestAnswer"/>),
/// and anything else unexpected into a plain 500 problem: never a stack trace to the caller.
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
        var (status, retryAfter) = StoreErrors.RequestAnswer(exception);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
