using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Ingestion;

internal static class IngestEndpoints
{
    /// <summary><c>POST /api/ingest</c> (scope <c>ingest</c>): JSON traces and spans, parsed here and stored by the <see cref="IngestPipeline"/>.</summary>
    public static RouteHandlerBuilder MapIngest(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/ingest", Ingest).RequireScope(Scopes.Ingest)
            .WithSummary("Store traces and spans (upserts by id); JSON, optionally gzip")
            // Described, not declared with Accepts: routing would answer other content types with a bare 415 before the handler could explain.
            .WithMetadata(new DocumentedBody(typeof(IngestRequestDocument)))
            .Produces<IngestResponse>(StatusCodes.Status207MultiStatus);

    internal static async Task<Results<Ok<IngestResponse>, JsonHttpResult<IngestResponse>, ProblemHttpResult>> Ingest(
        HttpContext context, ClaimsPrincipal user, IngestPipeline pipeline, IngestLimits ingestLimits, IOptions<IngestOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (!RequestBody.IsJson(context.Request.ContentType))
        {
            return Problem(415, "Unsupported content type", $"Send the body as Content-Type: application/json; got '{context.Request.ContentType ?? "(none)"}'.");
        }

        if (await ingestLimits.RefuseWhenEmptyAsync(user.ProjectId(), "json", cancellationToken) is { } empty)
        {
            return Limited(context, empty);
        }

        var (body, refusal) = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, cancellationToken);
        if (refusal is not null)
        {
            return Problem(refusal.Status, refusal.Title, refusal.Detail);
        }

        if (body.Length == 0)
        {
            return Problem(400, "Empty body", "The body is empty; send a JSON object with 'traces' and/or 'spans'.");
        }

        // The JSON reader does not check the bytes inside strings it never decodes; stored text must be valid.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return Problem(400, "The body is not valid UTF-8", "Nothing was stored. Send the JSON body encoded as UTF-8.");
        }

        // Repeated keys and lone surrogates are refused item by item (JsonTextRules); the walk that finds them runs only
        // when a strict parse found a repeated key or the body holds a surrogate escape, so clean bodies skip it.
        var checkText = JsonTextRules.MayHoldLoneSurrogate(body);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, TracewayJson.StrictDocumentOptions);
        }
        catch (Exception strict) when (strict is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: comparing keys for repeats decodes them, and a key with a lone surrogate cannot be.
            try
            {
                document = JsonDocument.Parse(body, TracewayJson.DocumentOptions);
                checkText = true;
            }
            catch (JsonException e)
            {
                return Problem(400, "The body is not valid JSON", $"Nothing was stored. {e.Message}");
            }
        }

        using (document)
        {
            IngestBatch batch;
            try
            {
                batch = JsonIngestParser.Parse(document.RootElement, limits, checkText);
            }
            catch (EnvelopeException e)
            {
                return Problem(400, "The body is not an ingest request", $"Nothing was stored. {e.Message}");
            }
            catch (EnvelopeTooLargeException e)
            {
                return Problem(413, "Too many items", $"Nothing was stored. {e.Message} Split the request.");
            }

            if (await ingestLimits.RefuseAsync(user.ProjectId(), batch.Format, batch.ItemCount, cancellationToken) is { } wait)
            {
                return Limited(context, wait);
            }

            var errors = await pipeline.IngestAsync(user.ProjectId(), batch, cancellationToken);
            return Answer(context, batch.ItemCount, errors);
        }
    }

    private static Results<Ok<IngestResponse>, JsonHttpResult<IngestResponse>, ProblemHttpResult> Answer(
        HttpContext context, int itemCount, IReadOnlyList<ItemError> errors)
    {
        var items = errors.Select(IngestItemError.From).ToList();
        var extensions = new Dictionary<string, object?> { ["accepted"] = 0, ["rejected"] = items.Count, ["items"] = items };
        switch (IngestOutcomes.Decide(itemCount, errors))
        {
            case IngestOutcome.AllStored:
                return TypedResults.Ok(new IngestResponse(itemCount, 0));
            case IngestOutcome.PartlyStored:
                return TypedResults.Json(new IngestResponse(itemCount - items.Count, items.Count, items), statusCode: StatusCodes.Status207MultiStatus);
            case IngestOutcome.NothingStoredThrottled or IngestOutcome.NothingStoredUnavailable:
                var throttled = errors.Any(e => e.Throttled);
                context.Response.Headers.RetryAfter = throttled ? "2" : "5";
                return TypedResults.Problem(
                    statusCode: throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable,
                    title: throttled ? "The store is throttling" : "The store is unavailable",
                    detail: "No item was stored. Retry the whole request after the time in Retry-After.",
                    extensions: extensions);
            default:
                var status = items.Any(i => i.Status == 400) ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
                var problem = new HttpValidationProblemDetails(items.GroupBy(i => i.Path).ToDictionary(g => g.Key, g => g.Select(i => i.Detail).ToArray()))
                {
                    Status = status,
                    Title = status == 400 ? "The request's items are invalid" : "The request's items conflict with stored traces",
                    Detail = $"No item was stored: {items[0].Path}: {items[0].Detail}",
                    Extensions = extensions,
                };
                return TypedResults.Problem(problem);
        }
    }

    /// <summary>The request body's shape, for the OpenAPI document (the handler reads the body itself, item by item).</summary>
    internal sealed record IngestRequestDocument(IReadOnlyList<TraceItemDocument>? Traces, IReadOnlyList<SpanItemDocument>? Spans);

    internal sealed record TraceItemDocument(
        string Id, string? Name, string? SessionId, string? UserId, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, JsonElement? Input, JsonElement? Output,
        string? Status, IReadOnlyList<string>? Tags, JsonElement? Metadata, IReadOnlyList<SpanItemDocument>? Spans);

    internal sealed record SpanItemDocument(
        string Id, string? TraceId, string? SessionId, string? ParentId, string Name, string? Kind, string? Model, string? Provider, JsonElement? Input, JsonElement? Output,
        long? InputTokens, long? OutputTokens, double? Cost, string? Status, string? Error, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, JsonElement? Attributes);

    private static ProblemHttpResult Limited(HttpContext context, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = IngestLimits.RetryAfterSeconds(wait);
        return Problem(429, "The project's ingest limit is reached", "Nothing was stored. The project sent more traces and spans than its ingest limit allows; retry the whole request after the time in Retry-After.");
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
