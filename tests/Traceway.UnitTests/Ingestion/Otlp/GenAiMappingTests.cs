using System.Text.Json;
using Traceway.Ingestion.Otlp.Proto;
using OtlpSpan = Traceway.Ingestion.Otlp.Proto.Span;
using static Traceway.Testing.OtlpSpans;

namespace Traceway.Tests.Ingestion.Otlp;

/// <summary>The GenAI mapping: what real instrumentations send under which keys becomes which Traceway field.</summary>
public sealed class GenAiMappingTests
{
    public static TheoryData<string, object, string> Kinds => new()
    {
        { "gen_ai.operation.name", "chat", "llm" },
        { "gen_ai.operation.name", "text_completion", "llm" },
        { "gen_ai.operation.name", "generate_content", "llm" },
        { "gen_ai.operation.name", "embeddings", "embedding" },
        { "gen_ai.operation.name", "execute_tool", "tool" },
        { "gen_ai.operation.name", "retrieval", "retrieval" },
        { "gen_ai.operation.name", "invoke_agent", "agent" },
        { "gen_ai.operation.name", "create_agent", "agent" },
        { "gen_ai.operation.name", "invoke_workflow", "chain" },
        { "gen_ai.operation.name", "agent_step", "chain" },
        { "openinference.span.kind", "LLM", "llm" },
        { "openinference.span.kind", "TOOL", "tool" },
        { "openinference.span.kind", "RETRIEVER", "retrieval" },
        { "openinference.span.kind", "EMBEDDING", "embedding" },
        { "openinference.span.kind", "AGENT", "agent" },
        { "openinference.span.kind", "CHAIN", "chain" },
        { "traceloop.span.kind", "tool", "tool" },
        { "traceloop.span.kind", "agent", "agent" },
        { "traceloop.span.kind", "workflow", "chain" },
        { "traceloop.span.kind", "task", "chain" },
        { "llm.request.type", "chat", "llm" },
        { "llm.request.type", "completion", "llm" },
        { "ai.operationId", "ai.generateText.doGenerate", "llm" },
        { "ai.operationId", "ai.streamText.doStream", "llm" },
        { "ai.operationId", "ai.embedMany.doEmbed", "embedding" },
        { "ai.operationId", "ai.toolCall", "tool" },
        { "ai.operationId", "ai.generateText", "chain" },
        { "gen_ai.tool.name", "get_weather", "tool" },
        { "gen_ai.request.model", "gpt-4o", "llm" },
        { "http.method", "GET", "custom" },
        { "gen_ai.operation.name", "something_new", "custom" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_kind_follows_the_first_convention_present(string key, object value, string kind) =>
        Assert.Equal(kind, Single(Span(1, 1, attributes: (key, value))).Kind);

    [Fact]
    public void The_operation_name_wins_over_every_other_kind_attribute() =>
        Assert.Equal("tool", Single(Span(1, 1, attributes: [("openinference.span.kind", "LLM"), ("gen_ai.operation.name", "execute_tool")])).Kind);

    public static TheoryData<string> SessionKeys => [.. Traceway.Ingestion.Otlp.GenAiMapping.SessionKeys];

    [Theory]
    [MemberData(nameof(SessionKeys))]
    public void Each_session_key_names_the_session(string key) =>
        Assert.Equal("conversation-7", Single(Span(1, 1, attributes: (key, "conversation-7"))).SessionId);

    [Fact]
    public void The_session_keys_rank_in_the_documented_order()
    {
        var keys = Traceway.Ingestion.Otlp.GenAiMapping.SessionKeys;
        for (var i = 0; i < keys.Length - 1; i++)
        {
            // Both present, in reverse order of rank: the higher-ranked still wins.
            var span = Single(Span(1, 1, attributes: [(keys[i + 1], "lower"), (keys[i], "higher")]));
            Assert.Equal("higher", span.SessionId);
        }
    }

    [Fact]
    public void A_session_on_the_resource_counts_when_no_span_attribute_names_one()
    {
        var batch = Traceway.Ingestion.Otlp.OtlpIngestParser.Parse(Export([("session.id", "from-resource")], Span(1, 1)), Limits);
        Assert.Equal("from-resource", batch.Batch.Spans.Single().Span.SessionId);
    }

    public static TheoryData<string> UserKeys => [.. Traceway.Ingestion.Otlp.GenAiMapping.UserKeys];

    [Theory]
    [MemberData(nameof(UserKeys))]
    public void Each_user_key_names_the_traces_user(string key) =>
        Assert.Equal("user-9", Parse(Span(1, 1, attributes: (key, "user-9"))).Batch.Traces.Single().Trace.UserId);

    [Fact]
    public void Model_and_provider_take_the_first_key_present_and_the_provider_is_lower_cased()
    {
        var span = Single(Span(1, 1, attributes: [("gen_ai.operation.name", "chat"), ("ai.model.id", "m-ai"), ("gen_ai.request.model", "m-request"), ("gen_ai.response.model", "m-response"), ("gen_ai.system", "OpenAI")]));
        Assert.Equal(("m-response", "openai"), (span.Model, span.Provider));

        var openInference = Single(Span(1, 1, attributes: [("llm.model_name", "m-oi"), ("llm.provider", "openai.chat")]));
        Assert.Equal(("m-oi", "openai.chat"), (openInference.Model, openInference.Provider));
    }

    public static TheoryData<string, string> TokenKeys => new()
    {
        { "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens" },
        { "gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens" },
        { "llm.token_count.prompt", "llm.token_count.completion" },
        { "ai.usage.inputTokens", "ai.usage.outputTokens" },
    };

    [Theory]
    [MemberData(nameof(TokenKeys))]
    public void Each_token_key_counts_on_an_llm_span(string inputKey, string outputKey)
    {
        var span = Single(Span(1, 1, attributes: [("gen_ai.operation.name", "chat"), (inputKey, 19L), (outputKey, "12")]));
        Assert.Equal((19L, 12L), (span.InputTokens, span.OutputTokens));
    }

    [Fact]
    public void Usage_on_an_agent_span_stays_in_attributes_and_out_of_the_totals()
    {
        // The AI SDK's invoke_agent root repeats its children's usage: 47 = 19 + 28, 22 = 12 + 10.
        var batch = Parse(
            Span(1, 1, name: "invoke_agent", attributes: [("gen_ai.operation.name", "invoke_agent"), ("gen_ai.usage.input_tokens", 47), ("gen_ai.usage.output_tokens", 22), ("gen_ai.usage.cost", 0.5)]),
            Span(1, 2, parent: 1, attributes: [("gen_ai.operation.name", "chat"), ("gen_ai.usage.input_tokens", 19), ("gen_ai.usage.output_tokens", 12)]),
            Span(1, 3, parent: 1, attributes: [("gen_ai.operation.name", "chat"), ("gen_ai.usage.input_tokens", 28), ("gen_ai.usage.output_tokens", 10)]));

        var spans = batch.Batch.Spans.Select(s => s.Span).ToList();
        Assert.Equal((47L, 22L), (spans.Sum(s => s.InputTokens), spans.Sum(s => s.OutputTokens)));
        var agent = spans.Single(s => s.Kind == "agent");
        Assert.Equal(((long?)null, (long?)null, (double?)null), (agent.InputTokens, agent.OutputTokens, agent.Cost));
        using var attributes = JsonDocument.Parse(agent.Attributes!);
        Assert.Equal(47, attributes.RootElement.GetProperty("gen_ai.usage.input_tokens").GetInt64());
    }

    [Fact]
    public void Cost_takes_the_first_key_present_on_a_call()
    {
        Assert.Equal(0.25, Single(Span(1, 1, attributes: [("gen_ai.operation.name", "chat"), ("llm.cost.total", 0.75), ("gen_ai.usage.cost", 0.25)])).Cost);
        Assert.Equal(0.75, Single(Span(1, 1, attributes: [("gen_ai.operation.name", "chat"), ("llm.cost.total", 0.75)])).Cost);
        Assert.Null(Single(Span(1, 1, attributes: [("gen_ai.operation.name", "chat"), ("gen_ai.usage.cost", -1.0)])).Cost);
    }

    [Fact]
    public void Input_messages_come_with_the_system_instructions_first()
    {
        const string messages = """[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]}]""";
        const string instructions = """[{"type":"text","content":"Be brief."}]""";
        const string output = """[{"role":"assistant","parts":[{"type":"text","content":"Sunny."}],"finish_reason":"stop"}]""";
        var span = Single(Span(1, 1, attributes: [("gen_ai.input.messages", messages), ("gen_ai.system_instructions", instructions), ("gen_ai.output.messages", output)]));

        Assert.Equal(
            JsonSerializer.Serialize(new object[] { new { role = "system", parts = JsonDocument.Parse(instructions).RootElement }, JsonDocument.Parse(messages).RootElement[0] }),
            span.Input);
        Assert.Equal(JsonDocument.Parse(output).RootElement.GetRawText(), span.Output);
        using var attributes = JsonDocument.Parse(span.Attributes!);
        Assert.False(attributes.RootElement.TryGetProperty("gen_ai.input.messages", out _), "content is stored once, as input");
    }

    [Fact]
    public void Structured_message_values_are_stored_as_json()
    {
        var messages = new object[] { new (string, object)[] { ("role", "user"), ("content", "hi") } };
        Assert.Equal("""[{"role":"user","content":"hi"}]""", Single(Span(1, 1, attributes: ("gen_ai.input.messages", messages))).Input);
    }

    [Fact]
    public void The_inference_details_event_gives_input_and_output()
    {
        var span = Span(1, 1);
        var details = new OtlpSpan.Types.Event { Name = "gen_ai.client.inference.operation.details" };
        details.Attributes.Add(Attribute("gen_ai.input.messages", """[{"role":"user","content":"q"}]"""));
        details.Attributes.Add(Attribute("gen_ai.output.messages", """[{"role":"assistant","content":"a"}]"""));
        span.Events.Add(details);

        var item = Single(span);
        Assert.Equal(("""[{"role":"user","content":"q"}]""", """[{"role":"assistant","content":"a"}]"""), (item.Input, item.Output));
        Assert.DoesNotContain("otel.events", item.Attributes ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Deprecated_message_events_become_messages_with_their_roles()
    {
        var span = Span(1, 1);
        span.Events.Add(Event("gen_ai.system.message", ("content", "Be brief."), ("gen_ai.system", "openai")));
        span.Events.Add(Event("gen_ai.user.message", ("content", "hi")));
        span.Events.Add(Event("gen_ai.choice", ("index", 0), ("finish_reason", "stop")));

        var item = Single(span);
        Assert.Equal("""[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]""", item.Input);
        Assert.Equal("""[{"index":0,"finish_reason":"stop"}]""", item.Output);
    }

    [Fact]
    public void Indexed_flat_attributes_are_rebuilt_into_messages_in_index_order()
    {
        var openLlmetry = Single(Span(1, 1, attributes: [("gen_ai.prompt.1.role", "user"), ("gen_ai.prompt.1.content", "second"), ("gen_ai.prompt.0.role", "system"), ("gen_ai.prompt.0.content", "first"), ("gen_ai.completion.0.content", "answer")]));
        Assert.Equal("""[{"role":"system","content":"first"},{"role":"user","content":"second"}]""", openLlmetry.Input);
        Assert.Equal("""[{"content":"answer"}]""", openLlmetry.Output);

        var openInference = Single(Span(1, 1, attributes: [("llm.input_messages.0.message.role", "user"), ("llm.input_messages.0.message.content", "q"), ("llm.output_messages.0.message.content", "a")]));
        Assert.Equal(("""[{"role":"user","content":"q"}]""", """[{"content":"a"}]"""), (openInference.Input, openInference.Output));
    }

    public static TheoryData<string, object, string, object, string, string> ContentKeys => new()
    {
        { "gen_ai.tool.call.arguments", """{"city":"Paris"}""", "gen_ai.tool.call.result", "sunny", """{"city":"Paris"}""", "\"sunny\"" },
        { "traceloop.entity.input", """{"q":1}""", "traceloop.entity.output", """{"a":2}""", """{"q":1}""", """{"a":2}""" },
        { "ai.prompt.messages", """[{"role":"user","content":"x"}]""", "ai.response.text", "y", """[{"role":"user","content":"x"}]""", "\"y\"" },
    };

    [Theory]
    [MemberData(nameof(ContentKeys))]
    public void Each_frameworks_content_keys_give_input_and_output(string inputKey, object input, string outputKey, object output, string expectedInput, string expectedOutput)
    {
        var span = Single(Span(1, 1, attributes: [(inputKey, input), (outputKey, output)]));
        Assert.Equal((expectedInput, expectedOutput), (span.Input, span.Output));
    }

    [Fact]
    public void Input_value_is_parsed_as_json_only_when_its_mime_type_says_so()
    {
        Assert.Equal("""{"q":1}""", Single(Span(1, 1, attributes: [("input.value", """{"q":1}"""), ("input.mime_type", "application/json")])).Input);
        Assert.Equal("\"{\\\"q\\\":1}\"", Single(Span(1, 1, attributes: [("input.value", """{"q":1}"""), ("input.mime_type", "text/plain")])).Input);
    }

    [Fact]
    public void The_ai_sdk_tool_calls_are_the_output_when_the_text_is_empty() =>
        Assert.Equal("""[{"toolName":"weather"}]""", Single(Span(1, 1, attributes: [("ai.response.text", ""), ("ai.response.toolCalls", """[{"toolName":"weather"}]""")])).Output);

    [Fact]
    public void An_error_status_takes_its_message_else_the_exception_else_the_error_type()
    {
        var withMessage = Span(1, 1);
        withMessage.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "rate limited" };
        Assert.Equal(("error", "rate limited"), (Single(withMessage).Status, Single(withMessage).Error));

        var withException = Span(1, 1, attributes: ("error.type", "TimeoutException"));
        withException.Status = new Status { Code = Status.Types.StatusCode.Error };
        withException.Events.Add(Event("exception", ("exception.message", "timed out after 30 s")));
        Assert.Equal("timed out after 30 s", Single(withException).Error);

        var withType = Span(1, 1, attributes: ("error.type", "TimeoutException"));
        withType.Status = new Status { Code = Status.Types.StatusCode.Error };
        Assert.Equal("TimeoutException", Single(withType).Error);

        var unset = Single(Span(1, 1, attributes: ("error.type", "x")));
        Assert.Equal(((string?)null, (string?)null), (unset.Status, unset.Error));
    }

    [Fact]
    public void Everything_without_a_field_of_its_own_is_kept_in_attributes_as_sent()
    {
        var span = Span(1, 1, attributes: [("gen_ai.request.temperature", 0.2), ("gen_ai.response.finish_reasons", new object[] { "stop" }), ("flag", true), ("blob", new byte[] { 1, 2 }), ("nan", double.NaN), ("map", new (string, object)[] { ("a", 1L) })]);
        span.Kind = OtlpSpan.Types.SpanKind.Client;
        var batch = Traceway.Ingestion.Otlp.OtlpIngestParser.Parse(Export([("service.name", "chat-api"), ("flag", false)], span), Limits);

        Assert.Equal(
            """{"service.name":"chat-api","gen_ai.request.temperature":0.2,"gen_ai.response.finish_reasons":["stop"],"flag":true,"blob":"AQI=","nan":"NaN","map":{"a":1},"otel.scope.name":"tests","otel.scope.version":"1.0","otel.span_kind":"client"}""",
            batch.Batch.Spans.Single().Span.Attributes);
    }

    private static Traceway.Documents.SpanItem Single(Span span)
    {
        var batch = Parse(span);
        Assert.Empty(batch.Batch.Rejected);
        return batch.Batch.Spans.Single().Span;
    }

    private static OtlpSpan.Types.Event Event(string name, params (string Key, object Value)[] attributes)
    {
        var e = new OtlpSpan.Types.Event { Name = name, TimeUnixNano = Nanos(Start) };
        e.Attributes.Add(attributes.Select(a => Attribute(a.Key, a.Value)));
        return e;
    }
}
