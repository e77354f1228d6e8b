using System.Text.Json;
using Traceway.Hosting;
using Traceway.Documents;

namespace Traceway.Benchmarks;

internal sealed record GeneratedSpan(
    string Id, string? ParentId, string Name, string Kind, string? Model, string Input, string Output,
    long InputTokens, long OutputTokens, double Cost, string Status, string? Error, DateTimeOffset StartedAt, DateTimeOffset EndedAt);

/// <summary>One conversation turn, with everything an SDK would send about it.</summary>
internal sealed record GeneratedTrace(
    string Id, string SessionId, string UserId, string Name, DateTimeOffset StartedAt, DateTimeOffset EndedAt,
    string Input, string Output, string Status, IReadOnlyList<string> Tags, string Metadata, IReadOnlyList<GeneratedSpan> Spans)
{
    public int ItemCount => 1 + Spans.Count;
}

/// <summary>
/// Makes realistic conversation turns: an agent span with LLM, tool and retrieval steps under it, each
/// stored span about 1 KB (a prompt and an answer of a few hundred characters). Ids are unique per
/// generator, so every write is a create, as for new data. Not thread-safe: one per worker.
/// </summary>
internal sealed class TraceGenerator(string prefix, int seed)
{
    public static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet"];

    private const string Words = "the user asks how to deploy a container to kubernetes with a rolling update and the assistant explains " +
        "deployments replica sets health probes and how to roll back when the new version fails its readiness checks while " +
        "traffic keeps flowing to the old pods until the rollout completes and the service selector points at the new ones ";

    private static readonly DateTimeOffset Epoch = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private readonly Random _random = new(seed);
    private int _traces;

    /// <summary>A turn of <paramref name="session"/> with 5–20 spans (or exactly <paramref name="spans"/>).</summary>
    public GeneratedTrace Next(string session, int? spans = null, string? status = null)
    {
        var number = _traces++;
        var id = $"{prefix}-t{number}";
        var start = Epoch.AddSeconds(number * 10 + _random.Next(0, 5)).AddMilliseconds(_random.Next(0, 1000));
        var count = spans ?? _random.Next(5, 21);
        status ??= _random.Next(20) == 0 ? "error" : "ok";
        var list = new List<GeneratedSpan>(count)
        {
            new($"{id}-s0", null, "agent", "agent", null, Text(80), Text(80), 0, 0, 0, "ok", null, start, start.AddSeconds(count)),
        };
        for (var i = 1; i < count; i++)
        {
            var spanStart = start.AddMilliseconds(i * 900);
            var kind = (i % 3) switch { 1 => "llm", 2 => "tool", _ => "retrieval" };
            var model = kind == "llm" ? Models[_random.Next(Models.Length)] : null;
            var (inputTokens, outputTokens) = kind == "llm" ? (_random.Next(200, 8000), _random.Next(20, 800)) : (0, 0);
            var failed = status == "error" && i == count - 1;
            list.Add(new GeneratedSpan(
                $"{id}-s{i}", list[0].Id, kind == "llm" ? "chat" : kind, kind, model, Text(330), Text(330),
                inputTokens, outputTokens, Math.Round((inputTokens * 2.5 + outputTokens * 10) / 1_000_000, 6),
                failed ? "error" : "ok", failed ? "rate limited by the provider" : null, spanStart, spanStart.AddMilliseconds(800)));
        }

        return new GeneratedTrace(
            id, session, $"user-{_random.Next(100)}", "chat-turn", start, start.AddSeconds(count), Text(120), Text(200),
            status, [_random.Next(10) < 7 ? "prod" : "staging", $"team-{_random.Next(5)}"],
            $$"""{"app":"bench","region":"eu-west-{{_random.Next(3)}}"}""", list);
    }

    // A JSON chat message whose content is `length` characters of prose, as the JSON text a client sends.
    private string Text(int length)
    {
        var offset = _random.Next(Words.Length - length);
        return $$"""[{"role":"user","content":"{{Words.AsSpan(offset, length)}}"}]""";
    }
}

/// <summary>The body of <c>POST /api/ingest</c> for a batch of turns, spans nested in their trace (API.md).</summary>
internal static class IngestRequest
{
    public static byte[] Serialize(IEnumerable<GeneratedTrace> traces)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("traces");
            foreach (var trace in traces)
            {
                json.WriteStartObject();
                json.WriteString("id", trace.Id);
                json.WriteString("name", trace.Name);
                json.WriteString("sessionId", trace.SessionId);
                json.WriteString("userId", trace.UserId);
                json.WriteString("startedAt", trace.StartedAt);
                json.WriteString("endedAt", trace.EndedAt);
                json.WritePropertyName("input");
                json.WriteRawValue(trace.Input);
                json.WritePropertyName("output");
                json.WriteRawValue(trace.Output);
                json.WriteString("status", trace.Status);
                json.WriteStartArray("tags");
                trace.Tags.ToList().ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WritePropertyName("metadata");
                json.WriteRawValue(trace.Metadata);
                json.WriteStartArray("spans");
                foreach (var span in trace.Spans)
                {
                    json.WriteStartObject();
                    json.WriteString("id", span.Id);
                    json.WriteString("parentId", span.ParentId);
                    json.WriteString("name", span.Name);
                    json.WriteString("kind", span.Kind);
                    if (span.Model is not null)
                    {
                        json.WriteString("model", span.Model);
                        json.WriteString("provider", "openai");
                    }

                    json.WritePropertyName("input");
                    json.WriteRawValue(span.Input);
                    json.WritePropertyName("output");
                    json.WriteRawValue(span.Output);
                    json.WriteNumber("inputTokens", span.InputTokens);
                    json.WriteNumber("outputTokens", span.OutputTokens);
                    json.WriteNumber("cost", span.Cost);
                    json.WriteString("status", span.Status);
                    if (span.Error is not null)
                    {
                        json.WriteString("error", span.Error);
                    }

                    json.WriteString("startedAt", span.StartedAt);
                    json.WriteString("endedAt", span.EndedAt);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>
/// The documents the app stores for a turn (README "Data"): its trace-index entry, its trace document and one
/// document per span, with the app's ids, partition keys and JSON settings, so the baseline writes what the app writes.
/// </summary>
internal sealed record StoredTurn(TraceLocation Index, TraceDocument Trace, IReadOnlyList<SpanDocument> Spans)
{
    public static StoredTurn From(string projectId, GeneratedTrace trace)
    {
        var pk = DocumentKeys.PartitionKey(projectId, trace.SessionId, trace.Id);
        return new StoredTurn(
            new TraceLocation(DocumentKeys.TraceIndexId(projectId, trace.Id), projectId, trace.Id, trace.SessionId, pk),
            new TraceDocument
            {
                Id = DocumentKeys.TraceDocumentId(trace.Id), Pk = pk, ProjectId = projectId, TraceId = trace.Id, SessionId = trace.SessionId,
                Name = trace.Name, UserId = trace.UserId, StartedAt = trace.StartedAt, EndedAt = trace.EndedAt,
                Input = trace.Input, Output = trace.Output, Status = trace.Status, Tags = trace.Tags, Metadata = trace.Metadata,
            },
            [.. trace.Spans.Select(span => new SpanDocument
            {
                Id = DocumentKeys.SpanDocumentId(trace.Id, span.Id), Pk = pk, ProjectId = projectId, TraceId = trace.Id, SessionId = trace.SessionId,
                SpanId = span.Id, ParentId = span.ParentId, Name = span.Name, Kind = span.Kind, Model = span.Model,
                Provider = span.Model is null ? null : "openai", Input = span.Input, Output = span.Output,
                InputTokens = span.InputTokens, OutputTokens = span.OutputTokens, Cost = span.Cost, CostSource = "provided",
                Status = span.Status, Error = span.Error, StartedAt = span.StartedAt, EndedAt = span.EndedAt,
            })]);
    }

    /// <summary>The stored size of a document, to check the workload's "about 1 KB per span" claim.</summary>
    public static int Bytes<T>(T document) => JsonSerializer.SerializeToUtf8Bytes(document, TracewayJson.Options).Length;
}
