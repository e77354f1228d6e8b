using System.Text.Json;
using Traceway.Traces;

namespace Traceway.Ingestion;

/// <summary>The request is not an ingest envelope at all: nothing is stored.</summary>
internal sealed class EnvelopeException(string message) : Exception(message);

/// <summary>
/// Turns an ingest request into documents to store and per-item rejections (API.md, Ingest). Pure:
/// no I/O, so every rule is tested directly.
/// </summary>
internal static class IngestParser
{
    public const int MaxTokens = 1_000_000_000;
    public const double MaxCost = 1_000_000;
    private static readonly string[] Kinds = ["llm", "tool", "retrieval", "embedding", "agent", "chain", "custom"];
    private static readonly string[] Statuses = ["ok", "error"];

    public static IngestBatch Parse(JsonElement root, string projectId, IngestOptions limits)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new EnvelopeException("The body must be a JSON object with a 'traces' and/or a 'spans' array.");
        }

        var traces = ArrayOrNull(root, "traces");
        var spans = ArrayOrNull(root, "spans");
        if (traces is null && spans is null)
        {
            throw new EnvelopeException("The body must hold a 'traces' and/or a 'spans' array.");
        }

        var itemCount = Items(traces).Sum(t => 1 + NestedSpanCount(t)) + Items(spans).Length;
        if (itemCount > limits.MaxItems)
        {
            throw new EnvelopeTooLargeException($"The request holds {itemCount} items (traces and spans); at most {limits.MaxItems} are accepted per request.");
        }

        var accepted = new List<TraceEntry>();
        var topLevel = new List<SpanEntry>();
        var rejected = new List<ItemError>();
        var seenTraces = new Dictionary<string, TraceEntry>(StringComparer.Ordinal);
        var seenSpans = new HashSet<(string, string)>();

        var index = 0;
        foreach (var element in Items(traces))
        {
            ReadTrace(element, index++, projectId, limits, accepted, rejected, seenTraces, seenSpans);
        }

        index = 0;
        foreach (var element in Items(spans))
        {
            var reader = new ItemReader(element, limits);
            var span = element.ValueKind == JsonValueKind.Object ? ReadSpan(reader, projectId, impliedTraceId: null) : null;
            var entry = span is null ? null : new SpanEntry(index, null, span);
            if (entry is not null && seenTraces.TryGetValue(span!.TraceId, out var trace) && span.SessionId is { } sessionId && sessionId != trace.Trace.SessionId)
            {
                reader.Fail("sessionId", $"sessionId '{sessionId}' contradicts the session of its trace '{span.TraceId}' in this request.");
            }

            if (entry is not null && reader.IsValid && !seenSpans.Add((span!.TraceId, span.SpanId)))
            {
                reader.Fail("id", $"span '{span.SpanId}' of trace '{span.TraceId}' appears more than once in this request.");
            }

            if (entry is not null && reader.IsValid)
            {
                topLevel.Add(entry);
            }
            else
            {
                rejected.Add(Invalid("span", index, null, element, reader));
            }

            index++;
        }

        return new IngestBatch(accepted, topLevel, rejected);
    }

    private static void ReadTrace(
        JsonElement element, int index, string projectId, IngestOptions limits,
        List<TraceEntry> accepted, List<ItemError> rejected, Dictionary<string, TraceEntry> seenTraces, HashSet<(string, string)> seenSpans)
    {
        var reader = new ItemReader(element, limits);
        TraceDocument? trace = null;
        if (element.ValueKind == JsonValueKind.Object)
        {
            var id = reader.Id("id", required: true);
            var sessionId = reader.SessionId("sessionId");
            var name = reader.Name("name", required: false);
            var userId = reader.Text("userId", 256);
            var startedAt = reader.Time("startedAt", required: true);
            var endedAt = reader.Time("endedAt", required: false);
            var input = reader.Json("input");
            var output = reader.Json("output");
            var status = reader.OneOf("status", Statuses);
            var tags = reader.Tags("tags");
            var metadata = reader.Object("metadata");
            _ = reader.Array("spans");
            CheckOrder(reader, startedAt, endedAt);
            if (id is not null && seenTraces.ContainsKey(id))
            {
                reader.Fail("id", $"trace '{id}' appears more than once in this request.");
            }

            if (reader.IsValid)
            {
                trace = new TraceDocument
                {
                    Id = DocumentKeys.TraceDocumentId(id!),
                    Pk = "",
                    ProjectId = projectId,
                    TraceId = id!,
                    SessionId = sessionId,
                    Name = name,
                    UserId = userId,
                    StartedAt = startedAt!.Value,
                    EndedAt = endedAt,
                    Input = input?.GetRawText(),
                    Output = output?.GetRawText(),
                    Status = status,
                    Tags = tags,
                    Metadata = Canonical(metadata),
                };
            }
        }
        else
        {
            reader.Fail("", "each trace must be a JSON object.");
        }

        var nested = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("spans", out var spanArray) && spanArray.ValueKind == JsonValueKind.Array
            ? spanArray
            : (JsonElement?)null;
        if (trace is null)
        {
            rejected.Add(Invalid("trace", index, null, element, reader));
            RejectNested(nested, index, rejected, "its trace was rejected: fix the trace first.");
            return;
        }

        var spans = new List<SpanEntry>();
        var spanIndex = 0;
        foreach (var spanElement in Items(nested))
        {
            var spanReader = new ItemReader(spanElement, limits);
            var span = spanElement.ValueKind == JsonValueKind.Object ? ReadSpan(spanReader, projectId, trace.TraceId) : null;
            if (span is not null && span.SessionId is { } sessionId && sessionId != trace.SessionId)
            {
                spanReader.Fail("sessionId", $"sessionId '{sessionId}' contradicts its trace's session '{trace.SessionId}'.");
            }

            if (span is not null && spanReader.IsValid && !seenSpans.Add((trace.TraceId, span.SpanId)))
            {
                spanReader.Fail("id", $"span '{span.SpanId}' of trace '{trace.TraceId}' appears more than once in this request.");
            }

            if (span is not null && spanReader.IsValid)
            {
                spans.Add(new SpanEntry(index, spanIndex, span with { SessionId = trace.SessionId }));
            }
            else
            {
                rejected.Add(Invalid("span", index, spanIndex, spanElement, spanReader));
            }

            spanIndex++;
        }

        var entry = new TraceEntry(index, trace, spans);
        seenTraces[trace.TraceId] = entry;
        accepted.Add(entry);
    }

    private static SpanDocument? ReadSpan(ItemReader reader, string projectId, string? impliedTraceId)
    {
        var id = reader.Id("id", required: true);
        var traceId = reader.Id("traceId", required: impliedTraceId is null);
        if (impliedTraceId is not null && traceId is not null && traceId != impliedTraceId)
        {
            reader.Fail("traceId", $"traceId '{traceId}' contradicts the trace '{impliedTraceId}' it is nested in.");
        }

        var sessionId = reader.SessionId("sessionId");
        var parentId = reader.Id("parentId", required: false);
        var name = reader.Name("name", required: true);
        var kind = reader.OneOf("kind", Kinds);
        var model = reader.Text("model", 200);
        var provider = reader.Text("provider", 200);
        var input = reader.Json("input");
        var output = reader.Json("output");
        var inputTokens = reader.Integer("inputTokens", MaxTokens);
        var outputTokens = reader.Integer("outputTokens", MaxTokens);
        var cost = reader.Number("cost", MaxCost);
        var status = reader.OneOf("status", Statuses);
        var error = reader.ErrorText("error");
        var startedAt = reader.Time("startedAt", required: true);
        var endedAt = reader.Time("endedAt", required: false);
        var attributes = reader.Object("attributes");
        CheckOrder(reader, startedAt, endedAt);
        if (!reader.IsValid)
        {
            return null;
        }

        var resolvedTraceId = impliedTraceId ?? traceId!;
        return new SpanDocument
        {
            Id = DocumentKeys.SpanDocumentId(resolvedTraceId, id!),
            Pk = "",
            ProjectId = projectId,
            TraceId = resolvedTraceId,
            SessionId = sessionId,
            SpanId = id!,
            ParentId = parentId,
            Name = name!,
            Kind = kind,
            Model = model,
            Provider = provider,
            Input = input?.GetRawText(),
            Output = output?.GetRawText(),
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            Cost = cost,
            CostSource = cost is null ? null : CostSources.Provided,
            Status = status,
            Error = error,
            StartedAt = startedAt!.Value,
            EndedAt = endedAt,
            Attributes = Canonical(attributes),
        };
    }

    private static void CheckOrder(ItemReader reader, DateTimeOffset? startedAt, DateTimeOffset? endedAt)
    {
        if (startedAt is { } start && endedAt is { } end && end < start)
        {
            reader.Fail("endedAt", "endedAt must not be before startedAt.");
        }
    }

    private static ItemError Invalid(string kind, int index, int? spanIndex, JsonElement element, ItemReader reader)
    {
        var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
            ? idElement.GetString()
            : null;
        var errors = reader.Errors;
        return new ItemError(kind, index, spanIndex, id, 400, string.Join(" ", errors.Select(e => e.Message)), errors.Count > 0 ? errors[0].Field : null);
    }

    private static void RejectNested(JsonElement? nested, int index, List<ItemError> rejected, string detail)
    {
        var spanIndex = 0;
        foreach (var span in Items(nested))
        {
            var id = span.ValueKind == JsonValueKind.Object && span.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
            rejected.Add(new ItemError("span", index, spanIndex++, id, 400, detail));
        }
    }

    /// <summary>
    /// Metadata and attributes are merged key by key, which rewrites them compactly: storing them in that same
    /// form from the start keeps an identical resend from looking like a change.
    /// </summary>
    private static string? Canonical(JsonElement? json) =>
        json is { } value ? System.Text.Json.Nodes.JsonNode.Parse(value.GetRawText(), documentOptions: Hosting.TracewayJson.DocumentOptions)!.ToJsonString(Hosting.TracewayJson.Options) : null;

    private static JsonElement[] Items(JsonElement? array) => array is { } elements ? [.. elements.EnumerateArray()] : [];

    private static int NestedSpanCount(JsonElement trace) =>
        trace.ValueKind == JsonValueKind.Object && trace.TryGetProperty("spans", out var spans) && spans.ValueKind == JsonValueKind.Array ? spans.GetArrayLength() : 0;

    private static JsonElement? ArrayOrNull(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.Array
            ? element
            : throw new EnvelopeException($"'{name}' must be an array; got a JSON {element.ValueKind.ToString().ToLowerInvariant()}.");
    }
}

/// <summary>The request holds more items than one request may.</summary>
internal sealed class EnvelopeTooLargeException(string message) : Exception(message);

internal static class CostSources
{
    public const string Provided = "provided";
    public const string Estimated = "estimated";
}
