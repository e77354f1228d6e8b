using System.Security.Claims;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Traceway.Hosting;
using Traceway.Ingestion.Otlp.Proto;
using Traceway.Projects;

namespace Traceway.Ingestion.Otlp;

internal static class OtlpEndpoints
{
    public const string Protobuf = "application/x-protobuf";
    public const string Json = "application/json";

    /// <summary>
    /// <c>POST /api/otel/v1/traces</c> (scope <c>ingest</c>): an OTLP/HTTP trace export, protobuf or JSON, so that
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT=https://host/api/otel</c> works. Its spans go through the same
    /// <see cref="IngestPipeline"/> as <c>POST /api/ingest</c>.
    /// </summary>
    public static RouteHandlerBuilder MapOtlp(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/otel/v1/traces", Export).RequireScope(Scopes.Ingest)
            .WithSummary("Store an OTLP/HTTP trace export (protobuf or JSON, optionally gzip); answers in the request's encoding")
            .WithMetadata(new DocumentedBody(typeof(ExportTraceServiceRequestDocument)))
            .Produces(StatusCodes.Status200OK, contentType: Protobuf, additionalContentTypes: [Json]);

    internal static async Task<IResult> Export(
        HttpContext context, ClaimsPrincipal user, IngestPipeline pipeline, IngestLimits ingestLimits, IOptions<IngestOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var encoding = RequestBody.MediaType(context.Request.ContentType) switch
        {
            { } media when media.Equals(Protobuf, StringComparison.OrdinalIgnoreCase) => Protobuf,
            _ when RequestBody.IsJson(context.Request.ContentType) => Json,
            _ => null,
        };
        if (encoding is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type",
                detail: $"Send an OTLP export as Content-Type: {Protobuf} or {Json}; got '{context.Request.ContentType ?? "(none)"}'.");
        }

        if (await ingestLimits.RefuseWhenEmptyAsync(user.ProjectId(), "otlp", cancellationToken) is { } empty)
        {
            return Limited(context, encoding, empty);
        }

        var (body, refusal) = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, cancellationToken);
        if (refusal is not null)
        {
            return OtlpAnswer.Error(encoding, refusal.Status, $"{refusal.Title}: {refusal.Detail}");
        }

        ExportTraceServiceRequest request;
        try
        {
            request = Decode(body, encoding);
        }
        catch (OtlpFormatException e)
        {
            return OtlpAnswer.Error(encoding, StatusCodes.Status400BadRequest, $"The body is not an OTLP trace export; nothing was stored. {e.Message}");
        }

        OtlpBatch export;
        try
        {
            export = OtlpIngestParser.Parse(request, limits);
        }
        catch (EnvelopeTooLargeException e)
        {
            return OtlpAnswer.Error(encoding, StatusCodes.Status413PayloadTooLarge, $"Nothing was stored. {e.Message} Lower the exporter's batch size.");
        }

        if (await ingestLimits.RefuseAsync(user.ProjectId(), export.Batch.Format, export.SpanCount, cancellationToken) is { } wait)
        {
            return Limited(context, encoding, wait);
        }

        var errors = export.SpanCount == 0 ? [] : await pipeline.IngestAsync(user.ProjectId(), export.Batch, cancellationToken);
        return Answer(context, encoding, export, errors);
    }

    /// <summary>
    /// OTLP clients retry a 429 or 503 whole and drop whatever a 200 reports rejected, so a span the store failed to take
    /// must never be reported as rejected: when any was, the whole export is answered 429 (throttled) or 503 and its
    /// resend stores the rest again, harmlessly (writes merge). What a 200 reports rejected is what no resend can fix.
    /// </summary>
    private static OtlpAnswer Answer(HttpContext context, string encoding, OtlpBatch export, IReadOnlyList<ItemError> errors)
    {
        var notStored = errors.Where(e => e.Status == StatusCodes.Status503ServiceUnavailable).Select(e => e.Index).Distinct().Count();
        if (notStored > 0)
        {
            var throttled = errors.Any(e => e.Throttled);
            context.Response.Headers.RetryAfter = throttled ? "2" : "5";
            return OtlpAnswer.Error(
                encoding,
                throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable,
                $"{notStored} of {export.SpanCount} spans were not stored: the store {(throttled ? "is throttling" : "did not answer")}. Retry the whole export after Retry-After; spans already stored are not duplicated.");
        }

        var response = new ExportTraceServiceResponse();
        var rejected = errors.GroupBy(e => e.Index).OrderBy(g => g.Key).ToList();
        if (rejected.Count > 0)
        {
            response.PartialSuccess = new ExportTracePartialSuccess
            {
                RejectedSpans = rejected.Count,
                ErrorMessage = $"{rejected.Count} of {export.SpanCount} spans rejected: "
                    + string.Join("; ", rejected.Take(10).Select(g => $"{export.SpanNames[g.Key]}: {g.First().Detail}"))
                    + (rejected.Count > 10 ? $"; and {rejected.Count - 10} more." : ""),
            };
        }

        return OtlpAnswer.Message(encoding, StatusCodes.Status200OK, response);
    }

    private static OtlpAnswer Limited(HttpContext context, string encoding, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = IngestLimits.RetryAfterSeconds(wait);
        return OtlpAnswer.Error(encoding, StatusCodes.Status429TooManyRequests, "The project's ingest limit is reached; nothing was stored. Retry the whole export after Retry-After.");
    }

    private static ExportTraceServiceRequest Decode(byte[] body, string encoding)
    {
        if (encoding == Protobuf)
        {
            try
            {
                return ExportTraceServiceRequest.Parser.ParseFrom(body);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new OtlpFormatException($"It could not be decoded as protobuf: {e.Message}");
            }
        }

        if (body.Length == 0)
        {
            return new ExportTraceServiceRequest();
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new OtlpFormatException("It is not valid UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(body, TracewayJson.DocumentOptions);
            return OtlpJsonReader.Read(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new OtlpFormatException($"It is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The request body's shape, for the OpenAPI document (OTLP's ExportTraceServiceRequest, in its JSON encoding).</summary>
    internal sealed record ExportTraceServiceRequestDocument(IReadOnlyList<JsonElement> ResourceSpans);
}

/// <summary>An OTLP answer in the request's encoding: protobuf clients cannot read a JSON answer.</summary>
internal sealed class OtlpAnswer(string contentType, int status, byte[] body) : IResult
{
    public static OtlpAnswer Message(string encoding, int status, IMessage message) =>
        new(encoding, status, encoding == OtlpEndpoints.Protobuf ? message.ToByteArray() : System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message)));

    /// <summary>An error answer: OTLP's Status message (google.rpc.Status) with what went wrong.</summary>
    public static OtlpAnswer Error(string encoding, int status, string message) =>
        Message(encoding, status, new ExportError { Code = RpcCode(status), Message = message });

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = contentType;
        httpContext.Response.ContentLength = body.Length;
        await httpContext.Response.Body.WriteAsync(body);
    }

    private static int RpcCode(int status) => status switch
    {
        StatusCodes.Status400BadRequest => 3, // INVALID_ARGUMENT
        StatusCodes.Status413PayloadTooLarge => 8, // RESOURCE_EXHAUSTED
        StatusCodes.Status429TooManyRequests => 8,
        StatusCodes.Status503ServiceUnavailable => 14, // UNAVAILABLE
        _ => 2, // UNKNOWN
    };
}
