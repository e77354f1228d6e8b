using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Ingestion.Otlp.Proto;
using Traceway.Storage;
using Traceway.Telemetry;
using Traceway.Tests.Infrastructure;
using Traceway.Tests.Projects;

namespace Traceway.Tests.Ingestion;

/// <summary>
/// Per-project ingest limits: over its limit a project's ingest requests (JSON and OTLP) answer 429 with Retry-After and
/// store nothing of the refused request, while other projects ingest as before.
/// </summary>
/// <summary>The latency comparison of <see cref="IngestLimitTests"/>, alone in its run: no other test class runs beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IngestIsolationGroup
{
    public const string Name = "ingest isolation";
}

[Collection(IngestIsolationGroup.Name)]
public sealed class IngestIsolationTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    /// <summary>
    /// Isolation: a project sending as fast as it can is held to its limit while another project's requests, sent beside
    /// it, are all stored. How much the flood slows the other project (its p95 against its solo p95) is a speed figure:
    /// it is measured by <c>./bench.sh --phases isolation</c>, not asserted here, where the flooding client shares the app's cores.
    /// </summary>
    [Fact]
    public async Task A_project_flooding_ingest_is_throttled_while_another_project_beside_it_stores_every_request()
    {
        const int Rounds = 3, SamplesPerPhase = 40;
        using var flooder = await IngestLimitTests.LimitedProjectAsync(app, spansPerSecond: 20, burst: 40);
        using var steady = await IngestApi.ForNewProjectAsync(app);
        for (var i = 0; i < 10; i++)
        {
            await steady.IngestAsync(IngestLimitTests.Trace($"warm-{i}", spans: 4)); // JIT, connections, containers
        }

        // Bodies written before the clock starts: the flood measures the app's cost of refusing, not the client's of serializing.
        var floodBodies = Enumerable.Range(0, Rounds).Select(round => Enumerable.Range(0, 5000).Select(i => IngestLimitTests.JsonBytes(IngestLimitTests.Trace($"flood-{round}-{i}", spans: 10))).ToList()).ToList();
        var solo = new List<double>();
        var beside = new List<double>();
        var floodStatuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var floodStopwatch = Stopwatch.StartNew();
        var floodTime = TimeSpan.Zero;
        for (var round = 0; round < Rounds; round++)
        {
            solo.AddRange(await MeasureAsync(steady, $"solo-{round}", SamplesPerPhase));

            using var stop = new CancellationTokenSource();
            var started = floodStopwatch.Elapsed;
            var flood = new[] { FloodAsync(flooder, floodBodies[round], floodStatuses, stop.Token) };
            beside.AddRange(await MeasureAsync(steady, $"beside-{round}", SamplesPerPhase));
            await stop.CancelAsync();
            await Task.WhenAll(flood);
            floodTime += floodStopwatch.Elapsed - started;
        }

        var stored = (await IngestLimitTests.CountAsync(app, flooder.Project.Id)).Documents;
        var refused = floodStatuses.Count(s => s == HttpStatusCode.TooManyRequests);

        Assert.All(floodStatuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, s.ToString()));
        Assert.True(refused > floodStatuses.Count / 2, $"the flood was refused {refused} times in {floodStatuses.Count} requests");
        // 10 spans + 1 trace a request; at most a full bucket each round (it refills while the other project is alone) plus the rate over the flood's time.
        Assert.True(stored <= Rounds * 40 + 20 * floodTime.TotalSeconds + 11, $"{stored} documents stored in {floodTime.TotalSeconds:0.0} s of flood");
        Assert.Equal(Rounds * SamplesPerPhase * 2, solo.Count + beside.Count);
    }

    private static async Task<List<double>> MeasureAsync(IngestApi api, string prefix, int samples)
    {
        var latencies = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var (status, _) = await api.IngestAsync(IngestLimitTests.Trace($"{prefix}-{i}", spans: 4));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(HttpStatusCode.OK, status);
        }

        return latencies;
    }

    private async Task FloodAsync(IngestApi api, List<byte[]> bodies, System.Collections.Concurrent.ConcurrentBag<HttpStatusCode> statuses, CancellationToken stop)
    {
        using var client = app.CreateClient(api.Project.IngestKey);
        for (var i = 0; !stop.IsCancellationRequested && i < bodies.Count; i++)
        {
            using var content = new ByteArrayContent(bodies[i]);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            // The last request finishes even when the stop comes meanwhile: a cancelled one would be neither counted nor known stored.
            using var response = await client.PostAsync(new Uri("/api/ingest", UriKind.Relative), content, CancellationToken.None);
            statuses.Add(response.StatusCode);
        }
    }

}

public sealed class IngestLimitTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    [Fact]
    public async Task Over_its_limit_a_json_request_is_a_429_with_retry_after_that_stores_nothing_and_is_counted()
    {
        // The first request leaves one token: too few for the next one's three items.
        using var api = await LimitedProjectAsync(spansPerSecond: 1, burst: 4);
        using var limited = new LimitedCounter(api.Project.Id);
        var (first, _) = await api.IngestAsync(Trace("fits", spans: 2));
        var before = await CountAsync(api.Project.Id);

        var (refused, problem) = await api.IngestAsync(Trace("refused", spans: 2));
        var after = await CountAsync(api.Project.Id);

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal((HttpStatusCode.TooManyRequests, 429), (refused, problem.GetProperty("status").GetInt32()));
        Assert.Contains("Nothing was stored", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((3, 1), before);
        Assert.Equal(before, after);
        Assert.Null(await api.GetTraceAsync("refused"));
        Assert.Equal(1, limited.Count);
    }

    [Fact]
    public async Task A_client_that_waits_as_retry_after_says_gets_its_refused_request_stored_once_the_bucket_holds_it_again()
    {
        using var api = await LimitedProjectAsync(spansPerSecond: 2, burst: 4);
        await api.IngestAsync(Trace("first", spans: 3));

        using var client = app.CreateClient(api.Project.IngestKey);
        var statuses = new List<HttpStatusCode>();
        var waited = TimeSpan.Zero;
        while (statuses.LastOrDefault() != HttpStatusCode.OK && statuses.Count < 4)
        {
            using var response = await client.PostAsync(new Uri("/api/ingest", UriKind.Relative), Json(Trace("second", spans: 3)));
            statuses.Add(response.StatusCode);
            var retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero;
            Assert.True(response.StatusCode == HttpStatusCode.OK || retryAfter >= TimeSpan.FromSeconds(1), $"{response.StatusCode} with Retry-After {retryAfter}");
            waited += retryAfter;
            await Task.Delay(retryAfter);
        }

        // 4 tokens used, 2 a second: the same request fits again after 2 s (the refill time of the bucket, 4 / 2, as an empty
        // bucket refuses before reading the request), so waiting as told once is enough, and not much longer.
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
        Assert.InRange(waited, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
        Assert.NotNull(await api.GetTraceAsync("second"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Over_its_limit_an_otlp_export_is_a_429_with_retry_after_in_its_own_encoding_that_stores_nothing(bool protobuf)
    {
        using var api = await LimitedProjectAsync(spansPerSecond: 1, burst: 3);
        using var otlp = new OtlpApi(app, api.Project.IngestKey);
        using var limited = new LimitedCounter(api.Project.Id);
        var fits = OtlpSpans.Export(OtlpSpans.Span(1, 1), OtlpSpans.Span(1, 2, parent: 1));
        var over = OtlpSpans.Export(OtlpSpans.Span(2, 3), OtlpSpans.Span(2, 4, parent: 3));
        var accepted = await SendAsync(otlp, fits, protobuf);
        var before = await CountAsync(api.Project.Id);

        var refused = await SendAsync(otlp, over, protobuf);

        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal(protobuf ? "application/x-protobuf" : "application/json", refused.ContentType);
        Assert.Equal(8, refused.Error.Code); // RESOURCE_EXHAUSTED
        Assert.Contains("ingest limit", refused.Error.Message, StringComparison.Ordinal);
        Assert.True(int.Parse(refused.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1, refused.RetryAfter);
        Assert.Equal((3, 1), before); // the trace, its two spans; one index entry
        Assert.Equal(before, await CountAsync(api.Project.Id));
        Assert.Equal(1, limited.Count);
    }

    [Fact]
    public async Task A_project_without_a_limit_of_its_own_is_not_limited_when_the_configuration_sets_no_default()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await api.IngestAsync(Trace($"t-{i}", spans: 50))).Status);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task Clearing_a_projects_limit_lets_its_next_request_through()
    {
        using var api = await LimitedProjectAsync(spansPerSecond: 1, burst: 2);
        var (first, _) = await api.IngestAsync(Trace("a", spans: 1));
        var (refused, _) = await api.IngestAsync(Trace("b", spans: 1));
        using var admin = app.CreateClient(app.AdminKey);
        await ProjectSettingsTests.PatchAsync(admin, api.Project.Id, """{"ingestLimit": null}""");

        var (after, _) = await api.IngestAsync(Trace("b", spans: 1));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK), (first, refused, after));
    }

    private Task<IngestApi> LimitedProjectAsync(int spansPerSecond, int burst) => LimitedProjectAsync(app, spansPerSecond, burst);

    internal static async Task<IngestApi> LimitedProjectAsync(TracewayApp app, int spansPerSecond, int burst)
    {
        var api = await IngestApi.ForNewProjectAsync(app);
        using var admin = app.CreateClient(app.AdminKey);
        var (status, _) = await ProjectSettingsTests.PatchAsync(admin, api.Project.Id, System.Text.Json.JsonSerializer.Serialize(new { ingestLimit = new { spansPerSecond, burst } }));
        Assert.Equal(HttpStatusCode.OK, status);
        return api;
    }

    internal static object Trace(string id, int spans) => new
    {
        traces = new[]
        {
            new
            {
                id,
                sessionId = "s-" + id,
                startedAt = "2026-11-20T10:00:00Z",
                spans = Enumerable.Range(0, spans).Select(i => new { id = $"{id}-span-{i}", name = "step", startedAt = "2026-11-20T10:00:01Z" }).ToArray(),
            },
        },
    };

    internal static byte[] JsonBytes(object body) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body);

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private static Task<OtlpReply> SendAsync(OtlpApi otlp, ExportTraceServiceRequest export, bool protobuf) =>
        protobuf ? otlp.ExportAsync(export) : otlp.ExportJsonAsync(OtlpIngestTests.HexJson(export));

    /// <summary>The project's trace and span documents, and its trace-index entries.</summary>
    private Task<(int Documents, int Index)> CountAsync(string projectId) => CountAsync(app, projectId);

    internal static async Task<(int Documents, int Index)> CountAsync(TracewayApp app, string projectId)
    {
        var stores = app.Services.GetRequiredService<TracewayStores>();
        var documents = await stores.Traces.CountAsync(new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE STARTSWITH(c.pk, @prefix)").WithParameter("@prefix", projectId + ":"));
        var index = await stores.TraceIndex.CountAsync(new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @projectId").WithParameter("@projectId", projectId));
        return (documents, index);
    }

    /// <summary>Listens to <c>traceway.ingest.limited</c> for one project (the meter's measurements, as an exporter sees them).</summary>
    private sealed class LimitedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public LimitedCounter(string projectId)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == TracewayTelemetry.Name && instrument.Name == "traceway.ingest.limited")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "project" && (string?)tag.Value == projectId)
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
