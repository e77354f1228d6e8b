using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Tests.Infrastructure;
using static Traceway.Testing.OtlpSpans;

namespace Traceway.Tests.Ingestion;

/// <summary>Faults of the store never become silent loss: an item is either stored and acknowledged, or reported as not stored.</summary>
public sealed class StoreFaultTests : IAsyncLifetime
{
    private readonly FaultInjectingHandler _faults = new();
    private readonly TracewayApp _app;

    public StoreFaultTests() =>
        _app = new TracewayApp()
            .WithSetting("Traceway:Cosmos:MaxThrottleRetrySeconds", "1")
            .WithServices(s => s.AddSingleton<RequestHandler>(_faults));

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task Items_whose_writes_fail_are_reported_as_not_stored_and_the_others_are_stored(HttpStatusCode fault)
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        _faults.Fault = (operation, body) => operation == HttpMethod.Post && body.Contains("doomed", StringComparison.Ordinal) ? fault : null;
        var spans = Enumerable.Range(0, 10).Select(i => Items.Llm(i % 3 == 0 ? $"doomed-{i}" : $"fine-{i}")).ToArray();

        var (status, body) = await api.IngestAsync(new { traces = new[] { Items.Turn($"t-{fault}", "s", spans) } });

        Assert.Equal(HttpStatusCode.MultiStatus, status);
        var rejected = body.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(["doomed-0", "doomed-3", "doomed-6", "doomed-9"], rejected.Select(e => e.GetProperty("id").GetString()));
        Assert.All(rejected, e => Assert.Equal(503, e.GetProperty("status").GetInt32()));
        Assert.Equal([0, 3, 6, 9], rejected.Select(r => r.GetProperty("spanIndex").GetInt32()));
        Assert.Equal(7, body.GetProperty("accepted").GetInt32());
        _faults.Fault = (_, _) => null;
        var stored = (await api.GetTraceAsync($"t-{fault}"))!["spans"]!.AsArray().Select(s => (string)s!["id"]!).Order(StringComparer.Ordinal);
        Assert.Equal(["fine-1", "fine-2", "fine-4", "fine-5", "fine-7", "fine-8"], stored);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable)]
    public async Task When_nothing_could_be_stored_the_whole_request_answers_with_Retry_After(HttpStatusCode fault, HttpStatusCode expected)
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        _faults.Fault = (operation, body) => operation == HttpMethod.Post && body.Contains("t-all", StringComparison.Ordinal) ? fault : null;

        using var client = _app.CreateClient(api.Project.IngestKey);
        using var response = await client.PostAsync(
            new Uri("/api/ingest", UriKind.Relative),
            System.Net.Http.Json.JsonContent.Create(new { traces = new[] { Items.Turn("t-all", "s", [Items.Llm("a")]) } }));
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        _faults.Fault = (_, _) => null;

        Assert.Equal(expected, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(0, body.GetProperty("accepted").GetInt32());
        Assert.Equal(2, body.GetProperty("items").GetArrayLength());
        Assert.Null(await api.GetTraceAsync("t-all"));
    }

    [Fact]
    public async Task A_merge_that_meets_a_fault_is_reported_and_the_stored_item_stays_as_it_was()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        await api.IngestAsync(new { traces = new[] { Items.Turn("t-merge", "s", [Items.Llm("span")]) } });
        _faults.Fault = (operation, _) => operation == HttpMethod.Put ? HttpStatusCode.ServiceUnavailable : null;

        var (status, body) = await api.IngestAsync(new { spans = new[] { new { id = "span", traceId = "t-merge", name = "renamed", startedAt = "2026-11-20T10:00:00.1Z", outputTokens = 99 } } });
        _faults.Fault = (_, _) => null;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(503, body.GetProperty("items")[0].GetProperty("status").GetInt32());
        var span = (await api.GetTraceAsync("t-merge"))!["spans"]![0]!;
        Assert.Equal(("gpt-4o", 30L), ((string?)span["name"], (long)span["outputTokens"]!));
    }

    [Fact]
    public async Task When_the_key_cannot_be_looked_up_the_answer_is_503_with_Retry_After_not_a_500()
    {
        var project = await _app.CreateProjectAsync();
        _faults.Fault = (operation, _) => operation == HttpMethod.Get ? HttpStatusCode.ServiceUnavailable : null;
        using var client = _app.CreateClient(project.IngestKey);

        using var response = await client.PostAsync(new Uri("/api/ingest", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(new { traces = new[] { Items.Turn("t", "s") } }));
        var text = await response.Content.ReadAsStringAsync();
        _faults.Fault = (_, _) => null;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_the_steady_state_a_request_costs_no_key_lookup_and_new_documents_cost_one_write_each_and_no_read()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        await api.IngestAsync(new { traces = new[] { Items.Turn("warm-up", "s") } });
        _faults.Requests.Clear();

        var (status, _) = await api.IngestAsync(new { traces = new[] { Items.Turn("t-new", "s", [Items.Llm("a"), Items.Tool("b")]) } });
        var requests = _faults.Requests.ToList();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(requests, r => r.Contains("/colls/projects", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.StartsWith("GET", StringComparison.Ordinal));
        Assert.Equal(4, requests.Count);
        Assert.Equal(3, requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal) && r.EndsWith("/colls/traces", StringComparison.Ordinal)));
        Assert.Equal(1, requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal) && r.EndsWith("/colls/traceIndex", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable)]
    public async Task An_otlp_export_the_store_refused_any_of_is_answered_with_Retry_After_and_its_resend_stores_it_all(HttpStatusCode fault, HttpStatusCode expected)
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        using var otlp = new OtlpApi(_app, api.Project.IngestKey);
        var doomed = SpanHex(3);
        var export = Export(
            Span(40 + (int)fault, 1), Span(40 + (int)fault, 2, parent: 1), Span(40 + (int)fault, 3, parent: 1));
        var traceId = TraceHex(40 + (int)fault);
        _faults.Fault = (operation, body) => operation == HttpMethod.Post && body.Contains(doomed, StringComparison.Ordinal) ? fault : null;

        var refused = await otlp.ExportAsync(export);
        _faults.Fault = (_, _) => null;

        // An OTLP client drops what a 200 reports rejected and retries only 429 and 503: a span the store did not take must get one of those.
        Assert.Equal((expected, "application/x-protobuf"), (refused.Status, refused.ContentType));
        Assert.True(int.Parse(refused.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("1 of 3 spans were not stored", refused.Error.Message, StringComparison.Ordinal);
        var resent = await otlp.ExportAsync(export);
        Assert.Equal(HttpStatusCode.OK, resent.Status);
        var stored = (await api.GetTraceAsync(traceId))!["spans"]!.AsArray().Select(s => (string)s!["id"]!).Order(StringComparer.Ordinal);
        Assert.Equal([SpanHex(1), SpanHex(2), doomed], stored);
    }
}
