using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.Azure.Cosmos;
using Traceway.Ingestion;
using Traceway.Ingestion.Otlp;
using Traceway.Ingestion.Otlp.Proto;
using static Traceway.Testing.OtlpSpans;
using Span = Traceway.Ingestion.Otlp.Proto.Span;

namespace Traceway.Benchmarks;

/// <summary>
/// OTLP ingest throughput through <c>POST /api/otel/v1/traces</c> (protobuf, exports of about 512 spans, the
/// OpenTelemetry SDKs' default batch) against the raw-SDK baseline writing, in the same batches, exactly the
/// documents the app stores for those exports (mapped in this process, so the store's work is the same on both
/// sides), in alternating windows; and the CPU one span costs to decode and map, measured in-process.
/// </summary>
internal static class OtlpIngestBenchmark
{
    private const string Database = "bench-otlp";
    private const int SpansPerExport = 512;

    public static async Task RunAsync(BenchmarkSettings settings, LocalEmulators emulators, CosmosClient cosmos, BenchmarkReport report)
    {
        await using var app = await BenchmarkApp.StartAsync(settings.Root, emulators, Database, changeFeed: false);
        var project = await app.CreateProjectAsync("bench-otlp");
        using var http = app.Client(project.IngestKey);
        var baseline = new BaselineWriter(cosmos, Database, "baseline-" + Guid.NewGuid().ToString("N"));
        Task Otlp(IReadOnlyList<GeneratedTrace> batch) => PostAsync(http, batch);
        // The baseline writes exactly the documents the app stores for the same export (attributes included).
        var limits = new IngestOptions();
        Task Baseline(IReadOnlyList<GeneratedTrace> batch) => baseline.WriteAsync(OtlpIngestParser.Parse(ExportOf(batch), limits).Batch);

        // Turns of 5–20 spans, 12.5 on average: this many make an export of about 512 spans.
        var turnsPerExport = (int)Math.Round(SpansPerExport / 12.5);
        var warmUp = TimeSpan.FromSeconds(settings.WarmUpSeconds);
        await IngestLoad.RunAsync("warm-otlp", settings.Writers, turnsPerExport, warmUp, Otlp);
        await IngestLoad.RunAsync("warm-baseline", settings.Writers, turnsPerExport, warmUp, Baseline);

        var otlp = new LoadResult();
        var direct = new LoadResult();
        var window = TimeSpan.FromSeconds((double)settings.IngestSeconds / settings.Rounds);
        for (var round = 0; round < settings.Rounds; round++)
        {
            otlp.Add(await IngestLoad.RunAsync("otlp", settings.Writers, turnsPerExport, window, Otlp));
            direct.Add(await IngestLoad.RunAsync("otlp-baseline", settings.Writers, turnsPerExport, window, Baseline));
        }

        report.Add("OTLP ingest throughput, Traceway (POST /api/otel/v1/traces, protobuf)", otlp.SpansPerSecond, "spans/s");
        report.Add($"OTLP ingest throughput, baseline (raw SDK writing the documents the app stores for the same exports, {turnsPerExport} turns per batch)", direct.SpansPerSecond, "spans/s");
        var ratio = otlp.SpansPerSecond / direct.SpansPerSecond;
        report.Add("OTLP ingest throughput ratio (Traceway / baseline)", ratio, "", "≥ 0.8", ratio >= 0.8);
        report.AddLatency($"Export latency, OTLP (one export of ≈{SpansPerExport} spans)", otlp.BatchMs);
        var perSpan = DecodeAndMapMicroseconds();
        report.Add("CPU per span, OTLP protobuf decode + GenAI mapping (the decoding thread's CPU time, ≈512-span exports)", perSpan, "µs");
        report.Details["otlp"] = new
        {
            traceway = new { otlp.Traces, otlp.Spans, seconds = otlp.Elapsed.TotalSeconds },
            baseline = new { direct.Traces, direct.Spans, seconds = direct.Elapsed.TotalSeconds },
            turnsPerExport,
            decodeAndMapMicrosecondsPerSpan = perSpan,
        };
    }

    private static async Task PostAsync(HttpClient http, IReadOnlyList<GeneratedTrace> batch)
    {
        using var content = new ByteArrayContent(ExportOf(batch).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(new Uri("/api/otel/v1/traces", UriKind.Relative), content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK || ExportTraceServiceResponse.Parser.ParseFrom(body).PartialSuccess is { } partial)
        {
            throw new InvalidOperationException($"POST /api/otel/v1/traces answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        }
    }

    /// <summary>Thread CPU time of decoding and mapping one ≈512-span export, many times over, per span.</summary>
    private static double DecodeAndMapMicroseconds()
    {
        var generator = new TraceGenerator("cpu", seed: 1);
        var turns = Enumerable.Range(0, (int)Math.Round(SpansPerExport / 12.5)).Select(i => generator.Next($"cpu-{i / 4}")).ToList();
        var bytes = ExportOf(turns).ToByteArray();
        var limits = new IngestOptions();
        var spans = 0L;
        for (var i = 0; i < 20; i++)
        {
            spans += OtlpIngestParser.Parse(ExportTraceServiceRequest.Parser.ParseFrom(bytes), limits).SpanCount;
        }

        // This thread's own CPU time (the loop never yields it), so the other processes of a busy machine do not count.
        spans = 0;
        var cpu = ThreadCpuTime();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            spans += OtlpIngestParser.Parse(ExportTraceServiceRequest.Parser.ParseFrom(bytes), limits).SpanCount;
        }

        return (ThreadCpuTime() - cpu).TotalMicroseconds / spans;
    }

    /// <summary>User + system time of the calling thread, from /proc (clock ticks of 10 ms; the loop runs for seconds).</summary>
    private static TimeSpan ThreadCpuTime()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>The turns as an OpenTelemetry GenAI instrumentation exports them: one resource, one scope.</summary>
    private static ExportTraceServiceRequest ExportOf(IReadOnlyList<GeneratedTrace> batch)
    {
        var spans = new List<Span>(batch.Sum(t => t.Spans.Count));
        foreach (var trace in batch)
        {
            var traceId = Id(trace.Id, 16);
            foreach (var generated in trace.Spans)
            {
                var span = new Span
                {
                    TraceId = traceId,
                    SpanId = Id(generated.Id, 8),
                    ParentSpanId = generated.ParentId is { } parent ? Id(parent, 8) : ByteString.Empty,
                    Name = generated.ParentId is null ? trace.Name : generated.Name,
                    Kind = Span.Types.SpanKind.Internal,
                    StartTimeUnixNano = Nanos(generated.StartedAt),
                    EndTimeUnixNano = Nanos(generated.EndedAt),
                    Status = generated.Status == "error"
                        ? new Status { Code = Status.Types.StatusCode.Error, Message = generated.Error ?? "" }
                        : new Status { Code = Status.Types.StatusCode.Ok },
                };
                span.Attributes.Add(Attribute("gen_ai.operation.name", generated.Kind switch
                {
                    "llm" => "chat",
                    "tool" => "execute_tool",
                    "retrieval" => "retrieval",
                    _ => "invoke_agent",
                }));
                span.Attributes.Add(Attribute("gen_ai.input.messages", generated.Input));
                span.Attributes.Add(Attribute("gen_ai.output.messages", generated.Output));
                if (generated.Model is { } model)
                {
                    span.Attributes.Add([
                        Attribute("gen_ai.provider.name", "openai"), Attribute("gen_ai.request.model", model),
                        Attribute("gen_ai.usage.input_tokens", generated.InputTokens), Attribute("gen_ai.usage.output_tokens", generated.OutputTokens)]);
                }

                if (generated.ParentId is null)
                {
                    span.Attributes.Add([
                        Attribute("session.id", trace.SessionId), Attribute("user.id", trace.UserId),
                        Attribute("tag.tags", trace.Tags.Cast<object>().ToArray())]);
                }

                spans.Add(span);
            }
        }

        return Export([("service.name", "bench-chat"), ("telemetry.sdk.language", "dotnet")], [.. spans]);
    }

    private static ByteString Id(string text, int length) => ByteString.CopyFrom(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, length));
}
