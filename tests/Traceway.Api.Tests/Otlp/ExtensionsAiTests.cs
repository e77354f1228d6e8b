using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpenTelemetrySdk = OpenTelemetry.Sdk;

namespace Traceway.Tests.Otlp;

/// <summary>
/// An application built on Microsoft.Extensions.AI, instrumented with its <c>UseOpenTelemetry()</c> and exporting
/// with the OpenTelemetry .NET SDK's OTLP exporter (protobuf over HTTP) to Traceway: its conversation becomes one
/// session whose replay shows every turn as the application lived it. Only the model provider is scripted.
/// </summary>
public sealed class ExtensionsAiTests(OtlpClientApp app) : IClassFixture<OtlpClientApp>
{
    private const string Provider = "openai";
    private const string RequestModel = "gpt-4o-mini";
    // Providers answer with a dated model name; the catalog prices it as its family.
    private const string ResponseModel = "gpt-4o-mini-2024-07-18";
    private const string Instructions = "You answer questions about the weather, briefly.";

    [Theory]
    [InlineData("x-api-key={0}")]
    [InlineData("Authorization=Bearer {0}")]
    public async Task A_three_turn_conversation_with_a_tool_call_replays_as_one_session_of_three_turns(string headers)
    {
        var project = await app.CreateProjectAsync("extensions-ai");
        var conversationId = "conv-" + Guid.NewGuid().ToString("N");
        var script = Conversation();
        var provider = new ScriptedChatClient(Provider, ResponseModel, script.SelectMany(t => t.Answers));
        var sourceName = "weather-assistant-" + Guid.NewGuid().ToString("N");
        using var exporterErrors = new ExporterErrors();
        using var tracing = OpenTelemetrySdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("weather-assistant"))
            .AddSource(sourceName)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = app.OtlpEndpoint;
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Headers = string.Format(CultureInfo.InvariantCulture, headers, project.IngestKey);
            })
            .Build();
        using var chat = new ChatClientBuilder(provider)
            .UseFunctionInvocation()
            .UseOpenTelemetry(sourceName: sourceName, configure: c => c.EnableSensitiveData = true)
            .Build();
        var options = new ChatOptions
        {
            ConversationId = conversationId,
            Instructions = Instructions,
            ModelId = RequestModel,
            Tools = [AIFunctionFactory.Create(GetWeatherAsync, "get_weather", "The current weather of a city.")],
        };

        var answers = new List<string>();
        foreach (var turn in script)
        {
            answers.Add((await chat.GetResponseAsync([new ChatMessage(ChatRole.User, turn.User)], options)).Text);
        }

        Assert.True(tracing.ForceFlush(30_000), "The exporter did not flush within 30 s: " + exporterErrors);
        Assert.Equal(script.Select(t => t.Answers[^1].Text), answers);
        var traceIds = provider.TraceIds.Distinct().ToList();
        Assert.Equal(script.Length, traceIds.Count);

        var spanCount = script.Sum(t => SpanCount(t));
        var (detail, replay, listed) = await app.ReadSessionAsync(project, conversationId, script.Length, spanCount, () => "The exporter said: " + exporterErrors);

        var turns = replay["turns"]!.AsArray().Select(t => t!).ToList();
        Assert.Equal(traceIds, turns.Select(t => (string?)t["traceId"]));
        foreach (var (turn, scripted) in turns.Zip(script))
        {
            // A turn is one call of the application: its root is the function-invocation loop, its steps the model calls and tools.
            Assert.Equal("orchestrate_tools", (string?)turn["name"]);
            Assert.Equal(scripted.User, GenAiMessages.Texts(turn["userInput"], "user")[^1]);
            Assert.Equal(scripted.Answers[^1].Text, GenAiMessages.Texts(turn["response"], "assistant")[^1]);
            Assert.Equal(scripted.Answers.Sum(a => a.InputTokens), (long)turn["inputTokens"]!);
            Assert.Equal(scripted.Answers.Sum(a => a.OutputTokens), (long)turn["outputTokens"]!);
            Assert.Equal(scripted.Answers.Sum(Cost), (double)turn["cost"]!, 9);
            Assert.Equal("ok", (string?)turn["status"]);

            var steps = turn["steps"]!.AsArray().Select(s => s!).ToList();
            Assert.Equal(StepShapes(scripted), steps.Select(s => ((string?)s["name"], (int)s["depth"]!, (string?)s["kind"])));
            // The loop repeats the sum of its model calls' usage: that stays in its attributes, counted once in the turn.
            Assert.Null(steps[0]["inputTokens"]);
            Assert.Null(steps[0]["outputTokens"]);

            var calls = steps.Where(s => (string?)s["kind"] == "llm").ToList();
            Assert.Equal(scripted.Answers.Select(a => ((string?)ResponseModel, a.InputTokens, a.OutputTokens)), calls.Select(s => ((string?)s["model"], (long)s["inputTokens"]!, (long)s["outputTokens"]!)));
            foreach (var (call, answer) in calls.Zip(scripted.Answers))
            {
                Assert.Equal(Cost(answer), (double)call["cost"]!, 9);
                // The instructions travel beside the messages; the call's input shows them first, as a system message.
                Assert.Equal(("system", Instructions), ((string?)GenAiMessages.Parsed(call["input"])![0]!["role"], GenAiMessages.Texts(call["input"], "system").Single()));
                Assert.Equal(answer.Text is null ? [] : [answer.Text], GenAiMessages.Texts(call["output"], "assistant").Where(t => t.Length > 0));
            }

            foreach (var (tool, answer) in steps.Where(s => (string?)s["kind"] == "tool").Zip(scripted.Answers.Where(a => a.ToolCall is not null)))
            {
                var city = (string)answer.ToolCall!.Arguments!["city"]!;
                Assert.Equal(city, (string?)GenAiMessages.Parsed(tool["input"])!["city"]);
                Assert.Equal(Weather(city).Sky, (string?)GenAiMessages.Parsed(tool["output"])!["sky"]);
                Assert.Equal("ok", (string?)tool["status"]);
                Assert.Null(tool["inputTokens"]);
            }
        }

        foreach (var session in new[] { replay["session"]!, listed })
        {
            Assert.Equal(conversationId, (string?)session["sessionId"]);
            Assert.Equal((script.Length, spanCount, "ok", 0), ((int)session["traceCount"]!, (int)session["spanCount"]!, (string?)session["status"], (int)session["errorCount"]!));
            var input = script.SelectMany(t => t.Answers).Sum(a => a.InputTokens);
            var output = script.SelectMany(t => t.Answers).Sum(a => a.OutputTokens);
            Assert.Equal((input, output, input + output), ((long)session["inputTokens"]!, (long)session["outputTokens"]!, (long)session["totalTokens"]!));
            Assert.Equal(script.SelectMany(t => t.Answers).Sum(Cost), (double)session["totalCost"]!, 9);
            Assert.Equal([ResponseModel], session["models"]!.AsArray().Select(m => (string?)m));
        }

        var traces = detail["traces"]!.AsArray().Select(t => t!).ToList();
        Assert.Equal(traceIds, traces.Select(t => (string?)t["id"]));
        Assert.Equal(script.Select(t => SpanCount(t)), traces.Select(t => t["spans"]!.AsArray().Count));
        Assert.All(traces, t => Assert.Equal(conversationId, (string?)t["sessionId"]));
        var modelCalls = traces.SelectMany(t => t["spans"]!.AsArray()).Where(s => (string?)s!["kind"] == "llm").OrderBy(s => (DateTimeOffset)s!["startedAt"]!).ToList();
        Assert.All(modelCalls, s => Assert.Equal((Provider, "estimated", "weather-assistant"), ((string?)s!["provider"], (string?)s["costSource"], (string?)s["attributes"]?["service.name"])));
        // Everything the mapping does not take stays in the span's attributes as sent, such as the provider's response id.
        Assert.Equal(Enumerable.Range(1, modelCalls.Count).Select(n => $"resp-{n}"), modelCalls.Select(s => (string?)s!["attributes"]?["gen_ai.response.id"]));
        // So is the usage the loop sums over its model calls when it made more than one, uncounted.
        var loop = traces[0]["spans"]!.AsArray().Single(s => s!["parentId"] is null)!;
        Assert.Equal(script[0].Answers.Sum(a => a.InputTokens), (long?)GenAiMessages.Parsed(loop["attributes"]?["gen_ai.usage.input_tokens"]));
    }

    private sealed record ScriptedTurn(string User, ScriptedAnswer[] Answers);

    private sealed record Forecast(string City, int Celsius, string Sky);

    /// <summary>The user's three messages and the model's answers to each: the first turn calls a tool before answering.</summary>
    private static ScriptedTurn[] Conversation() =>
    [
        new("What is the weather in Paris right now?",
        [
            new(null, new FunctionCallContent("call-weather-1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }), 182, 24),
            new("It is 18 °C and sunny in Paris.", null, 241, 16),
        ]),
        new("Do I need an umbrella this evening?", [new("No: the evening stays dry.", null, 283, 11)]),
        new("Then suggest a walk for the afternoon.", [new("Walk from the Louvre along the Seine to Notre-Dame.", null, 317, 38)]),
    ];

    private static Forecast Weather(string city) => new(city, 18, "sunny");

    private static async Task<Forecast> GetWeatherAsync(string city)
    {
        await Task.Delay(15);
        return Weather(city);
    }

    private static double Cost(ScriptedAnswer answer) => ModelPrices.Cost(RequestModel, answer.InputTokens, answer.OutputTokens);

    /// <summary>The loop, one span per model call and one per tool call.</summary>
    private static int SpanCount(ScriptedTurn turn) => 1 + turn.Answers.Length + turn.Answers.Count(a => a.ToolCall is not null);

    private static IEnumerable<(string?, int, string?)> StepShapes(ScriptedTurn turn) =>
        turn.Answers.SelectMany(a => a.ToolCall is { } call
                ? new (string?, int, string?)[] { ($"chat {RequestModel}", 1, "llm"), ($"execute_tool {call.Name}", 1, "tool") }
                : [($"chat {RequestModel}", 1, "llm")])
            .Prepend(("orchestrate_tools", 0, "custom"));
}
