using System.Net;
using Microsoft.Azure.Cosmos;
using Moq;

namespace Traceway.Tests.Storage;

/// <summary>Store exceptions as the Cosmos SDK throws them, optionally with the wait the store asked for.</summary>
internal static class StoreFaults
{
    public static CosmosException Cosmos(HttpStatusCode status, TimeSpan? retryAfter = null)
    {
        if (retryAfter is null)
        {
            return new CosmosException($"Cosmos answered {(int)status}", status, 0, "", 0);
        }

        // The SDK fills RetryAfter from response headers only; the seam is its virtual property.
        var fault = new Mock<CosmosException>($"Cosmos answered {(int)status}", status, 0, "", 0d) { CallBase = true };
        fault.SetupGet(e => e.RetryAfter).Returns(retryAfter);
        return fault.Object;
    }
}
