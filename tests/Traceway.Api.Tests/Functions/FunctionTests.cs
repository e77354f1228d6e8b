using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Moq;
using Traceway.Deletion;
using Traceway.Erasure;
using Traceway.Health;
using Traceway.Hosting;
using Traceway.Ingestion;
using Traceway.Ingestion.Otlp;
using Traceway.Projects;
using Traceway.Rollups;
using Traceway.Sessions;
using Traceway.Traces;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Functions;

/// <summary>
/// Each <c>[Function]</c> class called directly, as the worker calls it: it reaches the shared handler with the
/// calling key's project and scope, and answers what the standalone app answers.
/// </summary>
public sealed class FunctionTests(TracewayApp app) : IClassFixture<TracewayApp>, IAsyncLifetime
{
    private readonly TracewayApp _app = app;
    private readonly FunctionCall _call = new(app);
    private TestProject _project = null!;
    private TestProject _other = null!;

    public async Task InitializeAsync()
    {
        _project = await CreateProjectThroughTheFunctionAsync("functions");
        _other = await CreateProjectThroughTheFunctionAsync("another");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_trace_ingested_through_the_function_is_stored_in_the_keys_project_and_read_back_through_the_function()
    {
        var ingested = await IngestAsync(_project.IngestKey, """{"traces":[{"id":"f-1","sessionId":"s-f","name":"first turn","startedAt":"2026-11-20T10:00:00Z","spans":[{"id":"llm","name":"chat","kind":"llm","model":"gpt-4o","inputTokens":12,"outputTokens":3,"startedAt":"2026-11-20T10:00:01Z"}]}]}""");
        var mine = await GetTraceAsync(_project.ReadKey, "f-1");
        var theirs = await GetTraceAsync(_other.ReadKey, "f-1");

        Assert.Equal(200, ingested.Status);
        Assert.Equal(2, ingested.Body.GetProperty("accepted").GetInt32());
        Assert.Equal(200, mine.Status);
        Assert.Equal("first turn", mine.Body.GetProperty("name").GetString());
        Assert.Equal("s-f", mine.Body.GetProperty("sessionId").GetString());
        Assert.Equal("llm", mine.Body.GetProperty("spans")[0].GetProperty("id").GetString());
        Assert.Equal(404, theirs.Status);
    }

    [Fact]
    public async Task An_otlp_export_through_the_function_is_stored_and_answered_in_its_encoding()
    {
        const string export = """{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"chat","startTimeUnixNano":"1764237600000000000","attributes":[{"key":"session.id","value":{"stringValue":"s-otlp"}}]}]}]}]}""";

        var answer = await CallAsync(_project.IngestKey, "/api/otel/v1/traces", c => _call.Activate<OtlpFunction>().Export(c.Request, default), method: "POST", json: export);
        var trace = await GetTraceAsync(_project.ReadKey, "0af7651916cd43dd8448eb211c80319c");

        Assert.Equal(200, answer.Status);
        Assert.Empty(answer.Body.EnumerateObject());
        Assert.Equal(("chat", "s-otlp"), (trace.Body.GetProperty("name").GetString(), trace.Body.GetProperty("sessionId").GetString()));
    }

    [Fact]
    public async Task The_session_functions_list_open_replay_and_count_the_keys_sessions_once_rolled_up()
    {
        await IngestAsync(_project.IngestKey, """{"traces":[{"id":"t-1","sessionId":"journey","startedAt":"2026-11-20T10:00:00Z","input":"hello"},{"id":"t-2","sessionId":"journey","startedAt":"2026-11-20T10:01:00Z"}]}""");
        var rebuild = await RebuildAsync(_project.Id);
        var sessions = _call.Activate<SessionFunctions>();

        var list = await CallAsync(_project.ReadKey, "/api/sessions", c => sessions.ListSessions(c.Request, default));
        var detail = await CallAsync(_project.ReadKey, "/api/sessions/journey", c => sessions.GetSession(c.Request, "journey", default));
        var replay = await CallAsync(_project.ReadKey, "/api/sessions/journey/replay", c => sessions.ReplaySession(c.Request, "journey", default));
        var stats = await CallAsync(_project.ReadKey, "/api/stats/sessions", c => sessions.GetSessionStats(c.Request, default));
        var foreign = await CallAsync(_other.ReadKey, "/api/sessions", c => sessions.ListSessions(c.Request, default));

        Assert.Equal(200, rebuild.Status);
        Assert.Equal(2, rebuild.Body.GetProperty("traces").GetInt32());
        Assert.Equal(["journey"], list.Body.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("sessionId").GetString()));
        Assert.Equal(["t-1", "t-2"], detail.Body.GetProperty("traces").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal("hello", replay.Body.GetProperty("turns")[0].GetProperty("userInput").GetString());
        Assert.Equal(1, stats.Body.GetProperty("sessionCount").GetInt32());
        Assert.Empty(foreign.Body.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_trace_list_function_filters_within_the_keys_project()
    {
        await IngestAsync(_project.IngestKey, """{"traces":[{"id":"a","sessionId":"s1","startedAt":"2026-11-20T10:00:00Z"},{"id":"b","sessionId":"s2","startedAt":"2026-11-20T10:00:00Z"}]}""");
        await IngestAsync(_other.IngestKey, """{"traces":[{"id":"c","sessionId":"s1","startedAt":"2026-11-20T10:00:00Z"}]}""");
        await RebuildAsync(_project.Id);
        await RebuildAsync(_other.Id);
        var traces = _call.Activate<TraceFunctions>();

        var bySession = await CallAsync(_project.ReadKey, "/api/traces", c => traces.ListTraces(c.Request, default), query: "?sessionId=s1");
        var invalid = await CallAsync(_project.ReadKey, "/api/traces", c => traces.ListTraces(c.Request, default), query: "?limit=0");

        Assert.Equal(["a"], bySession.Body.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("traceId").GetString()));
        Assert.Equal(400, invalid.Status);
        Assert.True(invalid.Body.GetProperty("errors").TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task The_project_functions_create_a_key_that_works_and_delete_it_with_the_admin_key()
    {
        var projects = _call.Activate<ProjectFunctions>();
        var created = await CallAsync(_app.AdminKey, $"/api/projects/{_project.Id}/keys", c => projects.CreateKey(c.Request, _project.Id, default), json: """{"scopes":["read"],"name":"dashboard"}""");
        var key = created.Body.GetProperty("key").GetString()!;
        var before = await GetTraceAsync(key, "none");
        var deleted = await CallAsync(_app.AdminKey, "/api/projects/x/keys/y", c => projects.DeleteKey(c.Request, _project.Id, created.Body.GetProperty("id").GetString()!, default));
        var unknownProject = await CallAsync(_app.AdminKey, "/api/projects/x/keys", c => projects.CreateKey(c.Request, "no-such-project", default), json: """{"scopes":["read"]}""");

        Assert.Equal(201, created.Status);
        Assert.Equal(["read"], created.Body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(404, before.Status);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, unknownProject.Status);
    }

    [Fact]
    public async Task The_project_settings_functions_change_and_read_a_projects_retention_and_ingest_limit()
    {
        var projects = _call.Activate<ProjectFunctions>();
        var path = $"/api/projects/{_other.Id}";

        var patched = await CallAsync(_app.AdminKey, path, c => projects.UpdateProject(c.Request, _other.Id, default), method: "PATCH", json: """{"retentionDays":14,"ingestLimit":{"spansPerSecond":100,"burst":300}}""");
        var read = await CallAsync(_app.AdminKey, path, c => projects.GetProject(c.Request, _other.Id, default));
        var invalid = await CallAsync(_app.AdminKey, path, c => projects.UpdateProject(c.Request, _other.Id, default), method: "PATCH", json: """{"retentionDays":0}""");
        var unknown = await CallAsync(_app.AdminKey, "/api/projects/nope", c => projects.GetProject(c.Request, "nope", default));

        Assert.Equal((200, 200, 400, 404), (patched.Status, read.Status, invalid.Status, unknown.Status));
        Assert.Equal(14, read.Body.GetProperty("retentionDays").GetInt32());
        Assert.Equal(300, read.Body.GetProperty("ingestLimit").GetProperty("burst").GetInt32());
        Assert.True(invalid.Body.GetProperty("errors").TryGetProperty("retentionDays", out _));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        // function, key: "none" | "ingest" | "read" | "unknown"
        { "Ingest", "none" }, { "Ingest", "read" }, { "Ingest", "unknown" }, { "OtlpTraces", "none" }, { "OtlpTraces", "read" },
        { "ListTraces", "none" }, { "ListTraces", "ingest" }, { "GetTrace", "ingest" },
        { "ListSessions", "ingest" }, { "GetSession", "ingest" }, { "ReplaySession", "ingest" }, { "GetSessionStats", "ingest" },
        { "CreateProject", "read" }, { "CreateKey", "ingest" }, { "DeleteKey", "read" }, { "RebuildSummaries", "none" },
        { "ListProjects", "read" }, { "ListKeys", "none" }, { "DeleteSession", "read" }, { "DeleteSession", "none" }, { "DeleteTrace", "ingest" },
        { "StartErasure", "read" }, { "GetErasure", "none" },
        { "GetProject", "none" }, { "GetProject", "read" }, { "UpdateProject", "none" }, { "UpdateProject", "ingest" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Without_the_scope_a_function_refuses_with_the_standalone_apps_401_or_403_problem(string function, string keyKind)
    {
        var key = keyKind switch { "ingest" => _project.IngestKey, "read" => _project.ReadKey, "unknown" => "tw_0000000000000000_unknown", _ => null };
        var (path, method, invoke) = Route(function);

        var answer = await CallAsync(key, path, invoke, method: method, json: method == "GET" || method == "DELETE" ? null : "{}");
        var standalone = await StandaloneAsync(method, path, key);

        Assert.Equal(keyKind is "none" or "unknown" ? 401 : 403, answer.Status);
        Assert.Equal((int)standalone.StatusCode, answer.Status);
        Assert.Equal(standalone.Body.GetProperty("title").GetString(), answer.Title);
        Assert.Equal(standalone.Body.GetProperty("detail").GetString(), answer.Body.GetProperty("detail").GetString());
        Assert.Equal(keyKind is "none" or "unknown" ? "Bearer" : null, answer.Headers.WWWAuthenticate.FirstOrDefault());
    }

    [Theory]
    [InlineData("not json", 400)]
    [InlineData("""{"traces":[{"id":"","startedAt":"2026-11-20T10:00:00Z"}]}""", 400)]
    [InlineData("""{"traces":[]}""", 200)]
    public async Task The_ingest_function_answers_a_body_as_the_standalone_app_does(string body, int expected)
    {
        var answer = await IngestAsync(_project.IngestKey, body);
        using var client = _app.CreateClient(_project.IngestKey);
        using var response = await client.PostAsync(new Uri("/api/ingest", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var standalone = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(expected, answer.Status);
        Assert.Equal((int)response.StatusCode, answer.Status);
        Assert.Equal(standalone.TryGetProperty("title", out var t) ? t.GetString() : null, answer.Title);
    }

    [Fact]
    public async Task Health_and_the_OpenAPI_document_answer_anyone_and_the_document_is_the_standalone_one()
    {
        var health = await CallAsync(null, "/api/health", c => _call.Activate<HealthFunction>().CheckHealth(c.Request, default));
        var document = await CallAsync(null, "/api/openapi.json", c => _call.Activate<OpenApiFunction>().GetDocument(c.Request, default));
        using var client = _app.CreateClient();
        var standalone = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/openapi.json", UriKind.Relative));

        Assert.Equal(200, health.Status);
        Assert.Equal("healthy", health.Body.GetProperty("status").GetString());
        Assert.Equal(200, document.Status);
        Assert.Equal(
            standalone.GetProperty("paths").EnumerateObject().Select(p => p.Name + p.Value.GetRawText()),
            document.Body.GetProperty("paths").EnumerateObject().Select(p => p.Name + p.Value.GetRawText()));
        Assert.Contains("/api/ingest", document.Body.GetProperty("paths").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_store_that_does_not_answer_becomes_a_503_problem_with_retry_after_through_the_function_path()
    {
        var unavailable = new CosmosException("unavailable", HttpStatusCode.ServiceUnavailable, 0, "activity", 0);
        var failingHealth = new Mock<HealthCheckService>();
        failingHealth.Setup(h => h.CheckHealthAsync(It.IsAny<Func<HealthCheckRegistration, bool>?>(), It.IsAny<CancellationToken>())).ThrowsAsync(unavailable);

        var answer = await CallAsync(null, "/api/health", c => new HealthFunction(failingHealth.Object).CheckHealth(c.Request, default));

        Assert.Equal(503, answer.Status);
        Assert.Equal("The store is busy or unavailable", answer.Title);
        Assert.Equal("5", answer.Headers.RetryAfter.ToString());
    }

    private (string Path, string Method, Func<HttpContext, Task<IResult>> Invoke) Route(string function) => function switch
    {
        "Ingest" => ("/api/ingest", "POST", c => _call.Activate<IngestFunction>().Ingest(c.Request, default)),
        "OtlpTraces" => ("/api/otel/v1/traces", "POST", c => _call.Activate<OtlpFunction>().Export(c.Request, default)),
        "ListTraces" => ("/api/traces", "GET", c => _call.Activate<TraceFunctions>().ListTraces(c.Request, default)),
        "GetTrace" => ("/api/traces/t", "GET", c => _call.Activate<TraceFunctions>().GetTrace(c.Request, "t", default)),
        "ListSessions" => ("/api/sessions", "GET", c => _call.Activate<SessionFunctions>().ListSessions(c.Request, default)),
        "GetSession" => ("/api/sessions/s", "GET", c => _call.Activate<SessionFunctions>().GetSession(c.Request, "s", default)),
        "ReplaySession" => ("/api/sessions/s/replay", "GET", c => _call.Activate<SessionFunctions>().ReplaySession(c.Request, "s", default)),
        "GetSessionStats" => ("/api/stats/sessions", "GET", c => _call.Activate<SessionFunctions>().GetSessionStats(c.Request, default)),
        "CreateProject" => ("/api/projects", "POST", c => _call.Activate<ProjectFunctions>().CreateProject(c.Request, default)),
        "CreateKey" => ($"/api/projects/{_project.Id}/keys", "POST", c => _call.Activate<ProjectFunctions>().CreateKey(c.Request, _project.Id, default)),
        "DeleteKey" => ($"/api/projects/{_project.Id}/keys/k", "DELETE", c => _call.Activate<ProjectFunctions>().DeleteKey(c.Request, _project.Id, "k", default)),
        "RebuildSummaries" => ($"/api/projects/{_project.Id}/rebuild-summaries", "POST", c => _call.Activate<RollupFunctions>().RebuildSummaries(c.Request, _project.Id, default)),
        "ListProjects" => ("/api/projects", "GET", c => _call.Activate<ProjectFunctions>().ListProjects(c.Request, default)),
        "ListKeys" => ($"/api/projects/{_project.Id}/keys", "GET", c => _call.Activate<ProjectFunctions>().ListKeys(c.Request, _project.Id, default)),
        "DeleteSession" => ("/api/sessions/s", "DELETE", c => _call.Activate<DeletionFunctions>().DeleteSession(c.Request, "s", default)),
        "DeleteTrace" => ("/api/traces/t", "DELETE", c => _call.Activate<DeletionFunctions>().DeleteTrace(c.Request, "t", default)),
        "StartErasure" => ($"/api/projects/{_project.Id}/erasures", "POST", c => _call.Activate<ErasureFunctions>().StartErasure(c.Request, _project.Id, default)),
        "GetProject" => ($"/api/projects/{_project.Id}", "GET", c => _call.Activate<ProjectFunctions>().GetProject(c.Request, _project.Id, default)),
        "UpdateProject" => ($"/api/projects/{_project.Id}", "PATCH", c => _call.Activate<ProjectFunctions>().UpdateProject(c.Request, _project.Id, default)),
        "GetErasure" => ($"/api/projects/{_project.Id}/erasures/e", "GET", c => _call.Activate<ErasureFunctions>().GetErasure(c.Request, _project.Id, "e", default)),
        _ => throw new ArgumentOutOfRangeException(nameof(function)),
    };

    private async Task<TestProject> CreateProjectThroughTheFunctionAsync(string name)
    {
        var created = await CallAsync(_app.AdminKey, "/api/projects", c => _call.Activate<ProjectFunctions>().CreateProject(c.Request, default), json: $$"""{"name":"{{name}}"}""");
        Assert.Equal(201, created.Status);
        var keys = created.Body.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("scopes")[0].GetString()!, k => k.GetProperty("key").GetString()!);
        return new TestProject(created.Body.GetProperty("id").GetString()!, keys["ingest"], keys["read"]);
    }

    private Task<FunctionAnswer> IngestAsync(string key, string json) =>
        CallAsync(key, "/api/ingest", c => _call.Activate<IngestFunction>().Ingest(c.Request, default), method: "POST", json: json);

    private Task<FunctionAnswer> GetTraceAsync(string key, string traceId) =>
        CallAsync(key, "/api/traces/" + traceId, c => _call.Activate<TraceFunctions>().GetTrace(c.Request, traceId, default));

    private Task<FunctionAnswer> RebuildAsync(string projectId) =>
        CallAsync(_app.AdminKey, $"/api/projects/{projectId}/rebuild-summaries", c => _call.Activate<RollupFunctions>().RebuildSummaries(c.Request, projectId, default), method: "POST");

    private async Task<FunctionAnswer> CallAsync(string? key, string path, Func<HttpContext, Task<IResult>> invoke, string method = "GET", string? json = null, string? query = null)
    {
        var context = _call.Request(method, path, key, json, query);
        return await FunctionCall.AnswerAsync(context, invoke(context));
    }

    private async Task<(HttpStatusCode StatusCode, JsonElement Body)> StandaloneAsync(string method, string path, string? key)
    {
        using var client = key is null ? _app.CreateClient() : _app.CreateClient(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method is "POST" or "PATCH")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
