using System.Text.Json;
using System.Text.Json.Nodes;
using Traceway.Documents;
using Traceway.Hosting;

namespace Traceway.Ingestion;

/// <summary>The request is not an ingest envelope at all: nothing is stored.</summary>
internal sealed class EnvelopeException(string message) : Exception(message);

/// <summary>The request holds more items than one request may.</summary>
internal sealed class EnvelopeTooLargeException(string message) : Exception(message);

/// <summary>
/// Turns a JSON ingest request (API.md, Ingest) into an <see cref="IngestBatch"/>: validated items and per-item
/// rejections. Pure: no I/O, so every rule is tested directly. One instance reads one request, remembering the
/// ids it has seen so that a trace or span sent twice in one request is refused.
/// </summary>
internal sealed class JsonIngestParser
{
    public const int MaxTokens = 1_000_000_000;
    public const double MaxCost = 1_000_000;
    private static readonly string[] Kinds = ["llm", "tool", "retrieval", "embedding", "agent", "chain", "custom"];
    private static readonly string[] Statuses = ["ok", "error"];

    private readonly IngestOptions _limits;
    private readonly bool _checkText;
    private readonly List<TraceEntry> _traces = [];
    private readonly List<SpanEntry> _spans = [];
    private readonly List<ItemError> _rejected = [];
    private readonly Dictionary<string, TraceItem> _traceIds = new(StringComparer.Ordinal);
    private readonly HashSet<(string TraceId, string SpanId)> _spanIds = [];
    private readonly Dictionary<string, string> _spanSessions = new(StringComparer.Ordinal);

    private JsonIngestParser(IngestOptions limits, bool checkText) => (_limits, _checkText) = (limits, checkText);

    /// <summary>
    /// Reads the request; throws <see cref="EnvelopeException"/> or <see cref="EnvelopeTooLargeException"/> for a request refused whole.
    /// <paramref name="checkText"/> false skips the walk for repeated keys and lone surrogates (<see cref="JsonTextRules"/>):
    /// only for a body already known to hold neither.
    /// </summary>
    public static IngestBatch Parse(JsonElement root, IngestOptions limits, bool checkText = true)
    {
        var (traces, spans) = Envelope(root, limits, checkText);
        var parser = new JsonIngestParser(limits, checkText);
        if (traces is { } traceArray)
        {
            var index = 0;
            foreach (var element in traceArray.EnumerateArray())
            {
                parser.AddTrace(element, index++);
            }
        }

        if (spans is { } spanArray)
        {
            var index = 0;
            foreach (var element in spanArray.EnumerateArray())
            {
                if (parser.ReadSpan(element, index++, spanIndex: null, parent: null) is { } entry)
                {
                    parser._spans.Add(entry);
                }
            }
        }

        return new IngestBatch(parser._traces, parser._spans, parser._rejected);
    }

    private static (JsonElement? Traces, JsonElement? Spans) Envelope(JsonElement root, IngestOptions limits, bool checkText)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new EnvelopeException("The body must be a JSON object with a 'traces' and/or a 'spans' array.");
        }

        if (checkText)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (JsonTextRules.Name(property) is not { } name)
                {
                    throw new EnvelopeException("A key of the body holds a lone UTF-16 surrogate (an unpaired \\uD800–\\uDFFF escape); send valid Unicode text.");
                }

                if (name is "traces" or "spans" && !names.Add(name))
                {
                    throw new EnvelopeException($"The body holds '{name}' more than once; send each key once.");
                }
            }
        }

        var traces = ArrayOrNull(root, "traces");
        var spans = ArrayOrNull(root, "spans");
        if (traces is null && spans is null)
        {
            throw new EnvelopeException("The body must hold a 'traces' and/or a 'spans' array.");
        }

        var itemCount = CountItems(traces) + (spans?.GetArrayLength() ?? 0);
        if (itemCount > limits.MaxItems)
        {
            throw new EnvelopeTooLargeException($"The request holds {itemCount} items (traces and spans); at most {limits.MaxItems} are accepted per request.");
        }

        return (traces, spans);
    }

    /// <summary>A trace and its nested spans; a rejected trace takes its nested spans with it.</summary>
    private void AddTrace(JsonElement element, int index)
    {
        var reader = new ItemReader(element, _limits);
        var trace = element.ValueKind == JsonValueKind.Object ? ReadTrace(reader) : null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            reader.Fail("", "each trace must be a JSON object.");
        }

        var nested = NestedSpans(element);
        if (trace is null)
        {
            _rejected.Add(Invalid("trace", index, null, element, reader));
            RejectNested(nested, index, "its trace was rejected: fix the trace first.");
            return;
        }

        var spans = new List<SpanEntry>(nested?.GetArrayLength() ?? 0);
        if (nested is { } spanArray)
        {
            var spanIndex = 0;
            foreach (var spanElement in spanArray.EnumerateArray())
            {
                if (ReadSpan(spanElement, index, spanIndex++, trace) is { } entry)
                {
                    spans.Add(entry);
                }
            }
        }

        _traceIds[trace.TraceId] = trace;
        _traces.Add(new TraceEntry(index, trace, spans));
    }

    private TraceItem? ReadTrace(ItemReader reader)
    {
        if (_checkText)
        {
            reader.CheckText(skip: "spans");
            if (!reader.IsValid)
            {
                // Its text cannot be read field by field (a lone surrogate throws when decoded); what is wrong is said.
                return null;
            }
        }

        var id = reader.PathId("id", required: true);
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
        if (id is not null && _traceIds.ContainsKey(id))
        {
            reader.Fail("id", $"trace '{id}' appears more than once in this request.");
        }

        return reader.IsValid
            ? new TraceItem
            {
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
            }
            : null;
    }

    /// <summary>A top-level span, or one nested in <paramref name="parent"/>; a rejected one is recorded and null.</summary>
    private SpanEntry? ReadSpan(JsonElement element, int index, int? spanIndex, TraceItem? parent)
    {
        var reader = new ItemReader(element, _limits);
        var span = element.ValueKind == JsonValueKind.Object ? ReadSpan(reader, parent) : null;
        if (span is not null)
        {
            return new SpanEntry(index, spanIndex, span);
        }

        _rejected.Add(Invalid("span", index, spanIndex, element, reader));
        return null;
    }

    private SpanItem? ReadSpan(ItemReader reader, TraceItem? parent)
    {
        if (_checkText)
        {
            reader.CheckText();
            if (!reader.IsValid)
            {
                // Its text cannot be read field by field (a lone surrogate throws when decoded); what is wrong is said.
                return null;
            }
        }

        var id = reader.Id("id", required: true);
        var traceId = ReadTraceId(reader, parent);
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
        if (reader.IsValid)
        {
            CheckAgainstRequest(reader, traceId!, id!, sessionId, parent);
        }

        return reader.IsValid
            ? new SpanItem
            {
                TraceId = traceId!,
                // A nested span belongs to its trace's session; a span may also be the first to state it.
                SessionId = parent?.SessionId ?? sessionId,
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
                Status = status,
                Error = error,
                StartedAt = startedAt!.Value,
                EndedAt = endedAt,
                Attributes = Canonical(attributes),
            }
            : null;
    }

    /// <summary>A top-level span names its trace; a nested one may, but only the trace it is nested in.</summary>
    private static string? ReadTraceId(ItemReader reader, TraceItem? parent)
    {
        var traceId = reader.PathId("traceId", required: parent is null);
        if (parent is not null && traceId is not null && traceId != parent.TraceId)
        {
            reader.Fail("traceId", $"traceId '{traceId}' contradicts the trace '{parent.TraceId}' it is nested in.");
        }

        return parent?.TraceId ?? traceId;
    }

    /// <summary>
    /// A span may not contradict the session this request states for its trace (on the trace, or on an earlier span of it:
    /// the session may arrive on any span), nor repeat a span of it.
    /// </summary>
    private void CheckAgainstRequest(ItemReader reader, string traceId, string spanId, string? sessionId, TraceItem? parent)
    {
        var stated = parent?.SessionId ?? (_traceIds.TryGetValue(traceId, out var trace) ? trace.SessionId : null) ?? _spanSessions.GetValueOrDefault(traceId);
        if (sessionId is not null && stated is not null && sessionId != stated)
        {
            reader.Fail("sessionId", parent?.SessionId is not null
                ? $"sessionId '{sessionId}' contradicts its trace's session '{parent.SessionId}'."
                : $"sessionId '{sessionId}' contradicts the session '{stated}' of its trace '{traceId}' in this request.");
        }

        if (reader.IsValid && !_spanIds.Add((traceId, spanId)))
        {
            reader.Fail("id", $"span '{spanId}' of trace '{traceId}' appears more than once in this request.");
        }

        if (reader.IsValid && sessionId is not null)
        {
            _spanSessions.TryAdd(traceId, sessionId);
        }
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
        var errors = reader.Errors;
        return new ItemError(kind, index, spanIndex, IdOf(element), 400, string.Join(" ", errors.Select(e => e.Message)), errors.Count > 0 ? errors[0].Field : null);
    }

    private void RejectNested(JsonElement? nested, int index, string detail)
    {
        if (nested is not { } spans)
        {
            return;
        }

        var spanIndex = 0;
        foreach (var span in spans.EnumerateArray())
        {
            _rejected.Add(new ItemError("span", index, spanIndex++, IdOf(span), 400, detail));
        }
    }

    private static string? IdOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && JsonTextRules.TryGetProperty(element, "id", out var id) && id.ValueKind == JsonValueKind.String ? JsonTextRules.Text(id) : null;

    /// <summary>
    /// Metadata and attributes are merged key by key, which rewrites them compactly: storing them in that same
    /// form from the start keeps an identical resend from looking like a change.
    /// </summary>
    private static string? Canonical(JsonElement? json) => json is { } value ? DocumentMerge.CompactObject(value) : null;

    private static JsonElement? NestedSpans(JsonElement trace) =>
        trace.ValueKind == JsonValueKind.Object && JsonTextRules.TryGetProperty(trace, "spans", out var spans) && spans.ValueKind == JsonValueKind.Array ? spans : null;

    private static int CountItems(JsonElement? traces)
    {
        var count = 0;
        if (traces is { } array)
        {
            foreach (var trace in array.EnumerateArray())
            {
                count += 1 + (NestedSpans(trace)?.GetArrayLength() ?? 0);
            }
        }

        return count;
    }

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
