using System.Text.Json;
using Google.Protobuf;
using Traceway.Documents;
using Traceway.Ingestion.Otlp.Proto;

namespace Traceway.Ingestion.Otlp;

/// <summary>
/// An OTLP export as an <see cref="IngestBatch"/>, plus how to name each span in an answer. Every OTLP span is item
/// <c>Index</c> of the batch (its place in the export, counted across resources and scopes); a root span is also
/// the trace item at its index, so a rejected item is always one rejected span.
/// </summary>
internal sealed record OtlpBatch(IngestBatch Batch, IReadOnlyList<string> SpanNames)
{
    public int SpanCount => SpanNames.Count;
}

/// <summary>
/// Turns an OTLP trace export into Traceway items (README, "OTLP mapping"). Pure: no I/O. Each OTLP span becomes a
/// span; the root span (no parent) also gives its trace the name, times, input and output; the session, user and
/// tags of a trace come from any of its spans in the export (the root first, else the earliest), because
/// instrumentations put them on some spans only. A span that cannot be stored as sent is rejected with why.
/// </summary>
internal static class OtlpIngestParser
{
    public static OtlpBatch Parse(ExportTraceServiceRequest request, IngestOptions limits)
    {
        var spanCount = request.ResourceSpans.Sum(r => r.ScopeSpans.Sum(s => s.Spans.Count));
        if (spanCount > limits.MaxItems)
        {
            throw new EnvelopeTooLargeException($"The export holds {spanCount} spans; at most {limits.MaxItems} are accepted per request.");
        }

        var names = new List<string>(spanCount);
        var rejected = new List<ItemError>();
        var read = new List<ReadSpan>(spanCount);
        var index = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = OtlpAttributes.Index(resourceSpans.Resource?.Attributes ?? []);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    names.Add(Name(span, index));
                    try
                    {
                        read.Add(Read(span, resource, scopeSpans.Scope, index, limits));
                    }
                    catch (OtlpSpanException e)
                    {
                        rejected.Add(new ItemError("span", index, null, Hex(span.SpanId), 400, e.Message, e.Field));
                    }

                    index++;
                }
            }
        }

        var traces = new List<TraceEntry>();
        var spans = new List<SpanEntry>(read.Count);
        foreach (var trace in read.GroupBy(s => s.Span.TraceId, StringComparer.Ordinal))
        {
            Join(trace.ToList(), limits, traces, spans, rejected);
        }

        return new OtlpBatch(new IngestBatch(traces, spans, rejected) { Format = "otlp" }, names);
    }

    /// <summary>The spans of one trace in this export: their shared session, user and tags; the root's trace item.</summary>
    private static void Join(List<ReadSpan> trace, IngestOptions limits, List<TraceEntry> traces, List<SpanEntry> spans, List<ItemError> rejected)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<ReadSpan>(trace.Count);
        foreach (var span in trace)
        {
            if (seen.Add(span.Span.SpanId))
            {
                unique.Add(span);
            }
            else
            {
                rejected.Add(new ItemError("span", span.Index, null, span.Span.SpanId, 400,
                    $"span '{span.Span.SpanId}' of trace '{span.Span.TraceId}' appears more than once in this export.", "spanId"));
            }
        }

        var root = unique.FirstOrDefault(s => s.Span.ParentId is null);
        var byStart = unique.OrderBy(s => s.Span.StartedAt).ToList();
        var sessionId = root?.SessionId ?? byStart.FirstOrDefault(s => s.SessionId is not null)?.SessionId;
        var userId = root?.UserId ?? byStart.FirstOrDefault(s => s.UserId is not null)?.UserId;
        var tags = unique.SelectMany(s => s.Tags).Distinct(StringComparer.Ordinal).Take(limits.MaxTags).ToList();
        foreach (var span in unique)
        {
            spans.Add(new SpanEntry(span.Index, null, span.Span with { SessionId = sessionId }));
        }

        if (root is null && (userId is not null || tags.Count > 0))
        {
            // The root comes in a later export (or never): the user and tags these spans carry must not wait for it.
            var earliest = byStart[0];
            traces.Add(new TraceEntry(earliest.Index, new TraceItem
            {
                TraceId = earliest.Span.TraceId,
                SessionId = sessionId,
                UserId = userId,
                StartedAt = earliest.Span.StartedAt,
                Tags = tags.Count > 0 ? tags : null,
                Provisional = true,
            }, []));
        }
        else if (root is not null)
        {
            traces.Add(new TraceEntry(root.Index, new TraceItem
            {
                TraceId = root.Span.TraceId,
                SessionId = sessionId,
                Name = root.Span.Name,
                UserId = userId,
                StartedAt = root.Span.StartedAt,
                EndedAt = root.Span.EndedAt,
                Input = root.Span.Input,
                Output = root.Span.Output,
                Tags = tags.Count > 0 ? tags : null,
            }, []));
        }
    }

    private static ReadSpan Read(Span span, IReadOnlyDictionary<string, AnyValue> resource, InstrumentationScope? scope, int index, IngestOptions limits)
    {
        var traceId = Id(span.TraceId, 16, "traceId", required: true)!;
        var spanId = Id(span.SpanId, 8, "spanId", required: true)!;
        var parentId = Id(span.ParentSpanId, 8, "parentSpanId", required: false);
        if (span.Name.Length is 0 or > 512)
        {
            throw new OtlpSpanException("name", $"name must be 1 to 512 characters; got {span.Name.Length}.");
        }

        if (span.StartTimeUnixNano == 0)
        {
            throw new OtlpSpanException("startTimeUnixNano", "startTimeUnixNano is required.");
        }

        if (span.EndTimeUnixNano != 0 && span.EndTimeUnixNano < span.StartTimeUnixNano)
        {
            throw new OtlpSpanException("endTimeUnixNano", "endTimeUnixNano must not be before startTimeUnixNano.");
        }

        var attributes = new OtlpAttributes(span.Attributes, resource);
        var kind = GenAiMapping.Kind(attributes);
        var countsUsage = GenAiMapping.CountsUsage(kind);
        var input = GenAiContent.Input(attributes, span.Events, limits.MaxPayloadDepth);
        var output = GenAiContent.Output(attributes, span.Events, limits.MaxPayloadDepth);
        var error = span.Status?.Code == Status.Types.StatusCode.Error ? ErrorText(span, attributes) : null;
        return new ReadSpan(index, new SpanItem
        {
            TraceId = traceId,
            SpanId = spanId,
            ParentId = parentId,
            Name = span.Name,
            Kind = kind,
            Model = Limited(attributes.FirstText(GenAiMapping.ModelKeys)?.Text, 200),
            Provider = Limited(GenAiMapping.Provider(attributes), 200),
            Input = input?.Json,
            Output = output?.Json,
            InputTokens = countsUsage ? Tokens(attributes.FirstCount(GenAiMapping.InputTokenKeys)) : null,
            OutputTokens = countsUsage ? Tokens(attributes.FirstCount(GenAiMapping.OutputTokenKeys)) : null,
            Cost = countsUsage && attributes.FirstAmount(GenAiMapping.CostKeys) is { } cost and <= JsonIngestParser.MaxCost ? cost : null,
            Status = span.Status?.Code switch
            {
                Status.Types.StatusCode.Error => "error",
                Status.Types.StatusCode.Ok => "ok",
                _ => null,
            },
            Error = error is { Length: > 32_768 } ? error[..32_768] : error,
            StartedAt = Time(span.StartTimeUnixNano),
            EndedAt = span.EndTimeUnixNano == 0 ? null : Time(span.EndTimeUnixNano),
            Attributes = OtlpSpanAttributes.Json(span, attributes, scope, input, output, limits.MaxPayloadDepth),
        })
        {
            SessionId = Identity(attributes, GenAiMapping.SessionKeys, limits.MaxSessionIdLength),
            UserId = Identity(attributes, GenAiMapping.UserKeys, 256),
            Tags = [.. attributes.Strings(GenAiMapping.TagsKey).Where(t => t.Length <= limits.MaxTagLength)],
        };
    }

    /// <summary>A session or user id: refused (with the span) when it could not be stored or read back by its URL.</summary>
    private static string? Identity(OtlpAttributes attributes, string[] keys, int maxLength)
    {
        if (attributes.FirstText(keys, orResource: true) is not var (key, value))
        {
            return null;
        }

        return value.Length > maxLength ? throw new OtlpSpanException(key, $"{key} must be at most {maxLength} characters; got {value.Length}.")
            : value.Any(char.IsControl) ? throw new OtlpSpanException(key, $"{key} must be printable characters only.")
            : value is "." or ".." ? throw new OtlpSpanException(key, $"{key} must not be '.' or '..': such an id cannot be read back by its URL.")
            : value;
    }

    /// <summary>The status message, else the exception event's message, else the error type.</summary>
    private static string? ErrorText(Span span, OtlpAttributes attributes) =>
        span.Status.Message is { Length: > 0 } message ? message
        : span.Events.Where(e => e.Name == "exception").Select(e => OtlpAttributes.Text(e.Attributes.FirstOrDefault(a => a.Key == "exception.message")?.Value)).FirstOrDefault(m => m is not null)
        ?? attributes.FirstText(["error.type"])?.Text;

    /// <summary>A trace or span id as lower-case hex; all-zero or of the wrong length is refused.</summary>
    private static string? Id(ByteString id, int length, string field, bool required)
    {
        if (id.Length == 0 && !required)
        {
            return null;
        }

        if (id.Length != length)
        {
            throw new OtlpSpanException(field, id.Length == 0 ? $"{field} is required." : $"{field} must be {length} bytes ({length * 2} hex digits); got {id.Length} bytes.");
        }

        return id.Span.IndexOfAnyExcept((byte)0) < 0
            ? throw new OtlpSpanException(field, $"{field} must not be all zeros.")
            : Hex(id);
    }

    private static long? Tokens(long? count) => count <= JsonIngestParser.MaxTokens ? count : null;

    private static string? Limited(string? text, int maxLength) => text is { } t && t.Length > maxLength ? t[..maxLength] : text;

    private static DateTimeOffset Time(ulong unixNano) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNano / 100));

    private static string Hex(ByteString id) => Convert.ToHexStringLower(id.Span);

    private static string Name(Span span, int index) =>
        span.SpanId.Length > 0 ? $"span '{Hex(span.SpanId)}'{(span.TraceId.Length > 0 ? $" of trace '{Hex(span.TraceId)}'" : "")}" : $"span #{index}";

    /// <summary>A span as read, with what its trace may take from it.</summary>
    private sealed record ReadSpan(int Index, SpanItem Span)
    {
        public string? SessionId { get; init; }

        public string? UserId { get; init; }

        public IReadOnlyList<string> Tags { get; init; } = [];
    }
}
