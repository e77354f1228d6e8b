using System.Diagnostics;
using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Traceway.Tests.Infrastructure;
using static Traceway.Testing.OtlpSpans;

namespace Traceway.Tests.Telemetry;

/// <summary>
/// Traceway's own telemetry, read from the OpenTelemetry SDK's in-memory exporters: each instrument moves with
/// what it measures, by project and reason. (The exporters see the meters of every app in this test process, so
/// counts are read by this test's project.)
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly List<MetricSnapshot> _metrics = [];
    private readonly List<Activity> _activities = [];
    private readonly FaultInjectingHandler _faults = new();
    private readonly TracewayApp _app;

    public TelemetryTests() =>
        _app = new TracewayApp()
            .WithSetting("Traceway:ChangeFeed:Enabled", "true")
            .WithSetting("Traceway:ChangeFeed:PollIntervalMs", "100")
            .WithSetting("Traceway:Telemetry:LagRefreshSeconds", "1")
            .WithSetting("Traceway:Cosmos:MaxThrottleRetrySeconds", "1")
            .WithServices(services =>
            {
                services.AddSingleton<RequestHandler>(_faults);
                services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics));
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_activities));
            });

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task Each_instrument_moves_with_what_it_measures()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        using var otlp = new OtlpApi(_app, api.Project.IngestKey);
        var project = api.Project.Id;

        // JSON: a trace with two spans stored, one span invalid (no name).
        var (status, _) = await api.IngestAsync(new
        {
            traces = new[] { Items.Turn("m-1", "metrics", [Items.Llm("a"), Items.Tool("b")]) },
            spans = new object[] { new { id = "bad", traceId = "m-1", startedAt = "2026-11-20T10:00:00Z" } },
        });
        Assert.Equal(HttpStatusCode.MultiStatus, status);

        // OTLP: a root and a child (three items: the root is also its trace).
        Assert.Equal(HttpStatusCode.OK, (await otlp.ExportAsync(Export(Span(60, 1), Span(60, 2, parent: 1)))).Status);

        // The store throttles one span's write past the SDK's retries.
        _faults.Fault = (operation, body) => operation == HttpMethod.Post && body.Contains("throttled-span", StringComparison.Ordinal) ? HttpStatusCode.TooManyRequests : null;
        await api.IngestAsync(new { traces = new[] { Items.Turn("m-2", "metrics", [Items.Llm("throttled-span"), Items.Llm("fine")]) } });
        _faults.Fault = (_, _) => null;

        // The gauge reports the estimator's figure; it is exact in Azure only (the local emulator's session tokens count
        // the writes of every container), and other apps in this process report theirs too: its value is not compared.
        await LagAsync(lag => lag >= 0);
        await WaitAsync(() => HistogramCount("traceway.rollup.delay") > 0);
        Assert.Equal(3 + 2, Sum("traceway.ingest.items", ("project", project), ("format", "json"), ("outcome", "accepted")));
        Assert.Equal(1, Sum("traceway.ingest.items", ("project", project), ("format", "json"), ("reason", "invalid")));
        Assert.Equal(1, Sum("traceway.ingest.items", ("project", project), ("format", "json"), ("reason", "throttled")));
        Assert.Equal(3, Sum("traceway.ingest.items", ("project", project), ("format", "otlp"), ("outcome", "accepted")));
        Assert.Equal(1, Sum("traceway.store.throttled", ("operation", "ingest"), ("project", project)));
        Assert.Equal(3, HistogramCount("traceway.ingest.duration", ("project", project)));
        Assert.Contains(_activities, a => a.OperationName == "ingest" && (string?)a.GetTagItem("traceway.project") == project && (string?)a.GetTagItem("traceway.ingest.format") == "otlp");
    }

    private async Task WaitAsync(Func<bool> done)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            Flush();
            if (done())
            {
                return;
            }
        }

        Assert.Fail("The metric never moved.");
    }

    /// <summary>Exports afresh: what <see cref="Points"/> reads is this export only.</summary>
    private void Flush()
    {
        _metrics.Clear();
        FlushProvider();
    }

    private void FlushProvider() => Assert.True(_app.Services.GetRequiredService<MeterProvider>().ForceFlush());

    /// <summary>Collects until the rollup lag gauge reports a value <paramref name="wanted"/> accepts; its estimate is refreshed in the background.</summary>
    private async Task<long> LagAsync(Func<long, bool> wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long? lag = null;
        while (DateTime.UtcNow < deadline)
        {
            Flush();
            lag = Points("traceway.rollup.lag").Select(p => (long?)p.GetGaugeLastValueLong()).LastOrDefault();
            if (lag is { } value && wanted(value))
            {
                return value;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"The rollup lag gauge never reported a wanted value; last {lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.");
    }

    private long Sum(string name, params (string Key, string Value)[] tags) =>
        Points(name).Where(p => Matches(p, tags)).Sum(p => p.GetSumLong());

    private long HistogramCount(string name, params (string Key, string Value)[] tags) => Points(name).Where(p => Matches(p, tags)).Sum(p => p.GetHistogramCount());

    /// <summary>
    /// The points of a metric in the latest export (cumulative: totals since the start), from every stream of that name:
    /// the provider also sees the meters of the other apps of this test process.
    /// </summary>
    private List<MetricPoint> Points(string name) => [.. _metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints)];

    private static bool Matches(MetricPoint point, (string Key, string Value)[] tags)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            values[tag.Key] = tag.Value;
        }

        return tags.All(t => values.TryGetValue(t.Key, out var v) && (string?)v == t.Value);
    }
}
