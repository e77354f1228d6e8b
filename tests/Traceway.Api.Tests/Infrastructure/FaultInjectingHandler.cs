using System.Net;
using Microsoft.Azure.Cosmos;

namespace Traceway.Tests.Infrastructure;

/// <summary>
/// A seam in the Cosmos client pipeline: answers chosen requests with a fault (429, 503, a timeout)
/// instead of sending them, and counts what passes through.
/// </summary>
public sealed class FaultInjectingHandler : RequestHandler
{
    private int _faults;

    /// <summary>Every request that reached the handler, as "METHOD path".</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Decides, from the HTTP method (POST creates and queries, GET reads, PUT replaces) and the body, whether a request fails.</summary>
    public Func<HttpMethod, string, HttpStatusCode?> Fault { get; set; } = (_, _) => null;

    public int Faults => _faults;

    public override async Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue($"{request.Method} {request.RequestUri}");
        var body = "";
        if (request.Content is { CanSeek: true } content)
        {
            using var reader = new StreamReader(content, leaveOpen: true);
            body = await reader.ReadToEndAsync(cancellationToken);
            content.Position = 0;
        }

        if (Fault(request.Method, body) is { } status)
        {
            Interlocked.Increment(ref _faults);
            var response = new ResponseMessage(status, request, errorMessage: $"Injected {(int)status}");
            if (status == HttpStatusCode.TooManyRequests)
            {
                response.Headers["x-ms-retry-after-ms"] = "10";
            }

            return response;
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
