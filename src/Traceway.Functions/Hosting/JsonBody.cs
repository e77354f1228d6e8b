using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Traceway.Hosting;

/// <summary>
/// Reads a small JSON request body in the handler itself, so that both hostings refuse a bad body with
/// the same problem (the Functions worker does not run minimal-API body binding).
/// </summary>
internal static class JsonBody
{
    /// <summary>The body as <typeparamref name="T"/>; null for an empty body; a 415 or 400 problem otherwise.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && request.ContentType is null))
        {
            return (null, null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(statusCode: 415, title: "Unsupported content type",
                detail: $"Send the body as Content-Type: application/json; got '{request.ContentType ?? "(none)"}'."));
        }

        try
        {
            return (await JsonSerializer.DeserializeAsync<T>(request.Body, TracewayJson.Options, cancellationToken), null);
        }
        catch (JsonException e)
        {
            // The serializer's message names the .NET type; say where in the body, and what was expected, in the API's words.
            var where = e.Path?.TrimStart('$').TrimStart('.') is { Length: > 0 } path ? $"'{path}'" : "the body";
            return (null, TypedResults.Problem(statusCode: 400, title: "The body is not the expected JSON",
                detail: $"Nothing was changed: {where} does not have the documented type (the body is a JSON object; names are strings, scopes an array of strings)."));
        }
    }
}
