using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Traceway.Tests.Otlp;

/// <summary>
/// An agent instrumented with the OpenTelemetry JS SDK exports its GenAI spans with the stock OTLP/HTTP exporters
/// (OTLP/JSON and protobuf, plain or gzip), configured only by the standard <c>OTEL_EXPORTER_OTLP_*</c> variables
/// (<c>tests/otlp-js/send-spans.mjs</c>, installed by <c>scripts/install-otlp-clients.sh</c>). The session id is on
/// one model call of each turn only, and each turn's root arrives in a later export than its children, as
/// long-running agent spans do, one turn even spread over three exports: the turns still land in one session with
/// the values sent.
/// </summary>
public sealed class JavaScriptClientTests(OtlpClientApp app) : IClassFixture<OtlpClientApp>
{
    private const string RequestModel = "gpt-4o";
    private const string ResponseModel = "gpt-4o-2024-08-06";
    private const string Agent = "travel-agent";

    private static readonly string ClientDirectory = Path.Combine(RepositoryPaths.Root, "tests", "otlp-js");

    [Theory]
    [InlineData("json", "none", "x-api-key={0}")]
    [InlineData("json", "gzip", "Authorization=Bearer%20{0}")]
    [InlineData("protobuf", "none", "Authorization=Bearer%20{0}")]
    [InlineData("protobuf", "gzip", "x-api-key={0}")]
    public async Task GenAI_spans_with_the_session_on_a_child_and_the_root_exported_last_land_in_one_session(string encoding, string compression, string headers)
    {
        Assert.True(File.Exists(Path.Combine(ClientDirectory, "node_modules", ".traceway-installed")), $"The OpenTelemetry JS clients are not installed in {ClientDirectory}: run scripts/install-otlp-clients.sh (./test.sh does).");
        var project = await app.CreateProjectAsync($"otlp-js-{encoding}-{compression}");
        var sessionId = $"trip/{encoding} ✈ {Guid.NewGuid():N}";
        var start = RecentStart();
        var turns = Trip(sessionId, start);

        var (exitCode, output) = await RunClientAsync(Plan(encoding, turns), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = app.OtlpBase,
            ["OTEL_EXPORTER_OTLP_HEADERS"] = string.Format(CultureInfo.InvariantCulture, headers, project.IngestKey),
            ["OTEL_EXPORTER_OTLP_COMPRESSION"] = compression,
        });

        Assert.True(exitCode == 0, $"node send-spans.mjs ({encoding}, {compression}) exited with {exitCode}:\n{output}");
        var sent = JsonNode.Parse(output.Split('\n')[0])!["traces"]!.AsArray().Select(t => t!).ToList();
        var spanCount = turns.Sum(t => 1 + t.Children.Length);
        var (detail, replay, listed) = await app.ReadSessionAsync(project, sessionId, turns.Length, spanCount, () => "The client printed: " + output);

        var calls = turns.SelectMany(t => t.Children).Where(c => c.Usage is not null).Select(c => c.Usage!.Value).ToList();
        foreach (var session in new[] { replay["session"]!, listed })
        {
            Assert.Equal((turns.Length, spanCount), ((int)session["traceCount"]!, (int)session["spanCount"]!));
            // The agent roots repeat their calls' usage: counted once, from the model calls.
            var (inputTokens, outputTokens) = (calls.Sum(c => c.Input), calls.Sum(c => c.Output));
            Assert.Equal((inputTokens, outputTokens, inputTokens + outputTokens), ((long)session["inputTokens"]!, (long)session["outputTokens"]!, (long)session["totalTokens"]!));
            Assert.Equal(calls.Sum(c => ModelPrices.Cost(RequestModel, c.Input, c.Output)), (double)session["totalCost"]!, 9);
            Assert.Equal([ResponseModel], session["models"]!.AsArray().Select(m => (string?)m));
            Assert.Equal(("error", 1), ((string?)session["status"], (int)session["errorCount"]!));
            Assert.Equal(start, (DateTimeOffset)session["startedAt"]!);
        }

        var replayed = replay["turns"]!.AsArray().Select(t => t!).ToList();
        Assert.Equal(sent.Select(t => (string?)t["traceId"]), replayed.Select(t => (string?)t["traceId"]));
        foreach (var (turn, planned) in replayed.Zip(turns))
        {
            // The root, though it came last, gives the turn its name, times, input and output.
            Assert.Equal(planned.Root.Name, (string?)turn["name"]);
            Assert.Equal(planned.Root.StartedAt, (DateTimeOffset)turn["startedAt"]!);
            Assert.Equal(planned.Root.DurationMs, (long)turn["durationMs"]!);
            Assert.Equal([planned.User], GenAiMessages.Texts(turn["userInput"], "user"));
            Assert.Equal([planned.Answer], GenAiMessages.Texts(turn["response"], "assistant"));
            var turnCalls = planned.Children.Where(c => c.Usage is not null).Select(c => c.Usage!.Value).ToList();
            Assert.Equal((turnCalls.Sum(c => c.Input), turnCalls.Sum(c => c.Output)), ((long)turn["inputTokens"]!, (long)turn["outputTokens"]!));
            Assert.Equal(turnCalls.Sum(c => ModelPrices.Cost(RequestModel, c.Input, c.Output)), (double)turn["cost"]!, 9);
            // A turn one of whose steps failed shows as failed.
            Assert.Equal(planned.Children.Any(c => c.Error is not null) ? "error" : "ok", (string?)turn["status"]);

            var steps = turn["steps"]!.AsArray().Select(s => s!).ToList();
            var expected = planned.Children.OrderBy(c => c.StartedAt).Select(c => (c.Name, 1, c.Kind)).Prepend((planned.Root.Name, 0, "agent"));
            Assert.Equal(expected, steps.Select(s => ((string)s["name"]!, (int)s["depth"]!, (string)s["kind"]!)));
            Assert.Null(steps[0]["inputTokens"]);
            Assert.Null(steps[0]["outputTokens"]);
            foreach (var (step, child) in steps.Skip(1).Zip(planned.Children.OrderBy(c => c.StartedAt)))
            {
                Assert.Equal((child.Usage is null ? null : ResponseModel), (string?)step["model"]);
                Assert.Equal((child.Usage?.Input, child.Usage?.Output), ((long?)step["inputTokens"], (long?)step["outputTokens"]));
                Assert.Equal((child.Error is null ? "ok" : "error", child.Error), ((string?)step["status"], (string?)step["error"]));
                Assert.Equal(child.DurationMs, (long)step["durationMs"]!);
                Assert.Equal(child.OutputText, child.Usage is null ? null : GenAiMessages.Texts(step["output"], "assistant").LastOrDefault(t => t.Length > 0));
                if (child.Usage is not null)
                {
                    // A model call's messages read back as sent.
                    AssertSameJson((string)child.Attributes["gen_ai.input.messages"]!, step["input"]);
                    AssertSameJson((string)child.Attributes["gen_ai.output.messages"]!, step["output"]);
                }
                else
                {
                    Assert.Equal((string?)child.Attributes["gen_ai.tool.call.arguments"], GenAiMessages.Parsed(step["input"])!.ToJsonString());
                }
            }
        }

        var traces = detail["traces"]!.AsArray().Select(t => t!).ToList();
        Assert.Equal(sent.Select(t => (string?)t["traceId"]), traces.Select(t => (string?)t["id"]));
        foreach (var (trace, exported, planned) in traces.Zip(sent, turns))
        {
            Assert.Equal(sessionId, (string?)trace["sessionId"]);
            var ids = exported["childSpanIds"]!.AsArray().Select(i => (string)i!).Append((string)exported["rootSpanId"]!);
            Assert.Equal(ids.Order(StringComparer.Ordinal), trace["spans"]!.AsArray().Select(s => (string)s!["id"]!).Order(StringComparer.Ordinal));
            var root = Assert.Single(trace["spans"]!.AsArray(), s => (string?)s!["id"] == (string?)exported["rootSpanId"])!;
            Assert.Null(root["parentId"]);
            // The agent's own usage is kept as sent in its attributes, beside the resource's and the scope's.
            var attributes = root["attributes"]!;
            Assert.Equal(planned.Root.Attributes["gen_ai.usage.input_tokens"]!.GetValue<long>(), (long)attributes["gen_ai.usage.input_tokens"]!);
            Assert.Equal((Agent, "traceway-otlp-js-client"), ((string?)attributes["service.name"], (string?)attributes["otel.scope.name"]));
        }
    }

    [Fact]
    public async Task When_the_store_does_not_answer_for_a_while_the_exporter_retries_after_Retry_After_and_every_span_lands_once()
    {
        var project = await app.CreateProjectAsync("otlp-js-retry");
        var sessionId = $"trip/retry {Guid.NewGuid():N}";
        var turns = Trip(sessionId, RecentStart());
        // Every write of this project's spans and traces fails for two seconds from the first one: longer than the app's
        // own retries, so the export is answered 503 with Retry-After and only the client's resend can store it.
        var outage = new Lazy<DateTime>(() => DateTime.UtcNow.AddSeconds(2), LazyThreadSafetyMode.ExecutionAndPublication);
        app.StoreFaults.Fault = (_, body) =>
            body.Contains(project.Id, StringComparison.Ordinal) && (body.Contains("\"type\":\"span\"", StringComparison.Ordinal) || body.Contains("\"type\":\"trace\"", StringComparison.Ordinal)) && DateTime.UtcNow < outage.Value
                ? HttpStatusCode.ServiceUnavailable
                : null;
        var faultsBefore = app.StoreFaults.Faults;
        int exitCode;
        string output;
        try
        {
            (exitCode, output) = await RunClientAsync(Plan("protobuf", turns), new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = app.OtlpBase,
                ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-api-key=" + project.IngestKey,
                ["OTEL_LOG_LEVEL"] = "verbose",
            });
        }
        finally
        {
            app.StoreFaults.Fault = (_, _) => null;
        }

        Assert.True(exitCode == 0, $"node send-spans.mjs exited with {exitCode}:\n{output}");
        Assert.True(app.StoreFaults.Faults > faultsBefore, "No write of the export failed: the outage never happened.");
        // The exporter waits as Retry-After says (whole seconds), not its own jittered backoff.
        var retry = System.Text.RegularExpressions.Regex.Match(output, @"Scheduling export retry in (\d+)ms");
        Assert.True(retry.Success && int.Parse(retry.Groups[1].Value, CultureInfo.InvariantCulture) is var wait && wait > 0 && wait % 1000 == 0, "The exporter did not retry after Retry-After:\n" + output);
        var spanCount = turns.Sum(t => 1 + t.Children.Length);
        var (detail, replay, _) = await app.ReadSessionAsync(project, sessionId, turns.Length, spanCount, () => "The client printed: " + output);

        var calls = turns.SelectMany(t => t.Children).Where(c => c.Usage is not null).Select(c => c.Usage!.Value).ToList();
        Assert.Equal((calls.Sum(c => c.Input), calls.Sum(c => c.Output)), ((long)replay["session"]!["inputTokens"]!, (long)replay["session"]!["outputTokens"]!));
        Assert.Equal(turns.Select(t => t.Root.Name), replay["turns"]!.AsArray().Select(t => (string?)t!["name"]));
        Assert.Equal(spanCount, detail["traces"]!.AsArray().Sum(t => t!["spans"]!.AsArray().Count));
    }

    [Fact]
    public async Task A_tool_result_of_200_KB_moved_to_Blob_storage_reads_back_whole_in_the_replay()
    {
        var project = await app.CreateProjectAsync("otlp-js-large");
        var sessionId = $"trip/large {Guid.NewGuid():N}";
        var turn = Trip(sessionId, RecentStart())[0];
        // 3,000 flights, about 200 KB: past the size at which payloads move to Blob storage.
        var flights = new JsonArray([.. Enumerable.Range(0, 3000).Select(i => new JsonObject { ["flight"] = $"TP {1000 + i}", ["departs"] = $"{i % 24:D2}:{i % 60:D2}", ["price"] = 100 + (i % 400), ["seats"] = "window,aisle,middle" })]).ToJsonString();
        turn.Children[1].Attributes["gen_ai.tool.call.result"] = flights;
        var (exitCode, output) = await RunClientAsync(Plan("protobuf", [turn]), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = app.OtlpBase,
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-api-key=" + project.IngestKey,
        });

        Assert.True(exitCode == 0, $"node send-spans.mjs exited with {exitCode}:\n{output}");
        var (_, replay, _) = await app.ReadSessionAsync(project, sessionId, 1, 1 + turn.Children.Length, () => "The client printed: " + output);
        var tool = Assert.Single(replay["turns"]![0]!["steps"]!.AsArray(), s => (string?)s!["kind"] == "tool")!;
        AssertSameJson(flights, tool["output"]);
        var payloads = new BlobServiceClient((await LocalEmulators.Shared).BlobConnectionString).GetBlobContainerClient("payloads");
        var blobs = 0;
        await foreach (var _ in payloads.GetBlobsAsync(BlobTraits.None, BlobStates.None, project.Id + "/", default))
        {
            blobs++;
        }

        // The tool's output went to Blob storage: the only payload of the turn over the threshold.
        Assert.Equal(1, blobs);
    }

    [Fact]
    public async Task A_user_id_and_tags_on_a_model_call_reach_the_trace_whether_its_root_comes_in_the_same_export_or_a_later_one()
    {
        var project = await app.CreateProjectAsync("otlp-js-user");
        var sessionId = $"trip/user {Guid.NewGuid():N}";
        var start = RecentStart();
        PlannedTurn Tagged(DateTimeOffset at)
        {
            var turn = Trip(sessionId, at)[0];
            turn.Children[0].Attributes["user.id"] = "traveller-42";
            turn.Children[0].Attributes["tag.tags"] = new JsonArray("booking");
            return turn;
        }

        // The same turn twice: once in one export, once with its root in a later export than the model call naming the user.
        PlannedTurn[] turns = [Tagged(start) with { OneExport = true }, Tagged(start.AddMinutes(1))];
        var (exitCode, output) = await RunClientAsync(Plan("protobuf", turns), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = app.OtlpBase,
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-api-key=" + project.IngestKey,
        });

        Assert.True(exitCode == 0, $"node send-spans.mjs exited with {exitCode}:\n{output}");
        var (detail, _, listed) = await app.ReadSessionAsync(project, sessionId, turns.Length, turns.Sum(t => 1 + t.Children.Length), () => "The client printed: " + output);
        Assert.Equal(
            [("traveller-42", "booking"), ("traveller-42", "booking")],
            detail["traces"]!.AsArray().Select(t => ((string?)t!["userId"], string.Join(",", t["tags"]!.AsArray().Select(g => (string?)g)))));
        Assert.Equal(["traveller-42"], listed["userIds"]!.AsArray().Select(u => (string?)u));
        Assert.Equal(["booking"], listed["tags"]!.AsArray().Select(g => (string?)g));
    }

    /// <summary>Ten minutes ago, to the second: a turn's times are planned from it, so expected times are exact.</summary>
    private static DateTimeOffset RecentStart()
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-10);
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private static void AssertSameJson(string sent, JsonNode? shown) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sent), GenAiMessages.Parsed(shown)), $"sent {sent}, shown {shown?.ToJsonString()}");

    private readonly record struct Usage(long Input, long Output);

    private sealed record PlannedSpan(string Name, string Kind, DateTimeOffset StartedAt, long DurationMs, JsonObject Attributes, Usage? Usage = null, string? Error = null, string? OutputText = null)
    {
        /// <summary>Whether the client exports what has ended so far right after this span, before the spans after it.</summary>
        public bool ExportAfter { get; init; }
    }

    private sealed record PlannedTurn(string User, string Answer, PlannedSpan Root, PlannedSpan[] Children)
    {
        /// <summary>Whether the turn goes out in one export, root included, instead of its root in a later one.</summary>
        public bool OneExport { get; init; }
    }

    /// <summary>
    /// Two turns of a travel agent. The first names its session with <c>session.id</c> on its first model call,
    /// the second with <c>gen_ai.conversation.id</c> on its only model call, exported after the tool that failed
    /// before it: that tool's export names no session at all. A model call is sent the whole conversation so far;
    /// the agent's root, only the turn's own message.
    /// </summary>
    private static PlannedTurn[] Trip(string sessionId, DateTimeOffset start)
    {
        var first = start;
        var second = start.AddSeconds(30);
        return
        [
            Turn("Find me a flight from Berlin to Lisbon on Friday.", "TP 541 leaves Berlin at 10:05 and lands in Lisbon at 12:40, for 189 EUR.", first, 2400,
            [
                Chat(first.AddMilliseconds(100), 900, new Usage(412, 37), ("session.id", sessionId),
                    Messages(("system", "You book trips."), ("user", "Find me a flight from Berlin to Lisbon on Friday.")), ToolCall("call-1", "search_flights", """{"from":"BER","to":"LIS","date":"friday"}"""), null),
                Tool(first.AddMilliseconds(1050), 300, "search_flights", "call-1", """{"from":"BER","to":"LIS","date":"friday"}""", """[{"flight":"TP 541","departs":"10:05","price":189}]""", null),
                Chat(first.AddMilliseconds(1400), 950, new Usage(530, 64), null,
                    Messages(("tool", "[{\"flight\":\"TP 541\",\"departs\":\"10:05\",\"price\":189}]")), Messages(("assistant", "TP 541 leaves Berlin at 10:05 and lands in Lisbon at 12:40, for 189 EUR.")), "TP 541 leaves Berlin at 10:05 and lands in Lisbon at 12:40, for 189 EUR."),
            ]),
            Turn("Can I pick a window seat?", "The seat map is not available right now; I will try again at check-in.", second, 1800,
            [
                Tool(second.AddMilliseconds(100), 500, "get_seat_map", "call-2", """{"flight":"TP 541"}""", null, "seat map service timed out") with { ExportAfter = true },
                Chat(second.AddMilliseconds(700), 1000, new Usage(610, 28), ("gen_ai.conversation.id", sessionId),
                    Messages(("system", "You book trips."), ("user", "Find me a flight from Berlin to Lisbon on Friday."), ("assistant", "TP 541 leaves Berlin at 10:05 and lands in Lisbon at 12:40, for 189 EUR."), ("user", "Can I pick a window seat?")), Messages(("assistant", "The seat map is not available right now; I will try again at check-in.")), "The seat map is not available right now; I will try again at check-in."),
            ]),
        ];
    }

    private static PlannedTurn Turn(string user, string answer, DateTimeOffset start, long durationMs, PlannedSpan[] children)
    {
        var calls = children.Where(c => c.Usage is not null).Select(c => c.Usage!.Value).ToList();
        // As agent frameworks do, the root repeats the turn's messages and the sum of its calls' usage.
        var root = new PlannedSpan($"invoke_agent {Agent}", "agent", start, durationMs, new JsonObject
        {
            ["gen_ai.operation.name"] = "invoke_agent",
            ["gen_ai.agent.name"] = Agent,
            ["gen_ai.provider.name"] = "openai",
            ["gen_ai.input.messages"] = Messages(("user", user)),
            ["gen_ai.output.messages"] = Messages(("assistant", answer)),
            ["gen_ai.usage.input_tokens"] = calls.Sum(c => c.Input),
            ["gen_ai.usage.output_tokens"] = calls.Sum(c => c.Output),
        });
        return new PlannedTurn(user, answer, root, children);
    }

    private static PlannedSpan Chat(DateTimeOffset start, long durationMs, Usage usage, (string Key, string Value)? session, string input, string output, string? outputText)
    {
        var attributes = new JsonObject
        {
            ["gen_ai.operation.name"] = "chat",
            ["gen_ai.provider.name"] = "openai",
            ["gen_ai.request.model"] = RequestModel,
            ["gen_ai.response.model"] = ResponseModel,
            ["gen_ai.usage.input_tokens"] = usage.Input,
            ["gen_ai.usage.output_tokens"] = usage.Output,
            ["gen_ai.input.messages"] = input,
            ["gen_ai.output.messages"] = output,
            ["gen_ai.response.finish_reasons"] = new JsonArray(outputText is null ? "tool_calls" : "stop"),
        };
        if (session is { } s)
        {
            attributes[s.Key] = s.Value;
        }

        return new PlannedSpan($"chat {RequestModel}", "llm", start, durationMs, attributes, usage, null, outputText);
    }

    private static PlannedSpan Tool(DateTimeOffset start, long durationMs, string name, string callId, string arguments, string? result, string? error)
    {
        var attributes = new JsonObject
        {
            ["gen_ai.operation.name"] = "execute_tool",
            ["gen_ai.tool.name"] = name,
            ["gen_ai.tool.call.id"] = callId,
            ["gen_ai.tool.call.arguments"] = arguments,
        };
        if (result is not null)
        {
            attributes["gen_ai.tool.call.result"] = result;
        }

        return new PlannedSpan($"execute_tool {name}", "tool", start, durationMs, attributes, Error: error);
    }

    /// <summary>Messages in the GenAI conventions' JSON form, as instrumentations put them in a string attribute.</summary>
    private static string Messages(params (string Role, string Text)[] messages) =>
        new JsonArray([.. messages.Select(m => new JsonObject
        {
            ["role"] = m.Role,
            ["parts"] = new JsonArray(new JsonObject { ["type"] = "text", ["content"] = m.Text }),
        })]).ToJsonString();

    private static string ToolCall(string id, string name, string arguments) =>
        new JsonArray(new JsonObject
        {
            ["role"] = "assistant",
            ["parts"] = new JsonArray(new JsonObject { ["type"] = "tool_call", ["id"] = id, ["name"] = name, ["arguments"] = JsonNode.Parse(arguments) }),
            ["finish_reason"] = "tool_call",
        }).ToJsonString();

    private static JsonObject Plan(string encoding, PlannedTurn[] turns) => new()
    {
        ["encoding"] = encoding,
        ["service"] = Agent,
        ["turns"] = new JsonArray([.. turns.Select(t => new JsonObject
        {
            ["root"] = Span(t.Root),
            ["children"] = new JsonArray([.. t.Children.Select(Span)]),
            ["oneExport"] = t.OneExport,
        })]),
    };

    private static JsonObject Span(PlannedSpan span) => new()
    {
        ["name"] = span.Name,
        ["startedAt"] = span.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        ["durationMs"] = span.DurationMs,
        ["attributes"] = span.Attributes.DeepClone(),
        ["error"] = span.Error,
        ["exportAfter"] = span.ExportAfter,
    };

    /// <summary>Runs the client with <paramref name="plan"/> on its standard input (a plan may be larger than an environment variable can hold).</summary>
    private static async Task<(int ExitCode, string Output)> RunClientAsync(JsonObject plan, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ClientDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("send-spans.mjs");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(plan.ToJsonString());
        process.StandardInput.Close();
        var output = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            output.AppendLine("(killed after 60 s)");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
