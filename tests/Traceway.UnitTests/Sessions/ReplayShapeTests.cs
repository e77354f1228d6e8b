using System.Text.Json;
using Microsoft.Extensions.Options;
using Traceway.Models;
using Traceway.Sessions;
using Traceway.Traces;

namespace Traceway.Tests.Sessions;

public sealed class ReplayShapeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly ModelCatalog Models = new(Options.Create(new ModelCatalogOptions()));

    [Fact]
    public void Spans_whose_parents_form_a_cycle_or_are_missing_are_still_each_shown_once()
    {
        var trace = Trace(Span("a", "b", 0), Span("b", "a", 1), Span("orphan", "gone", 2), Span("root", null, 3));

        var steps = Replay.ToTurn(trace, Models).Steps;

        Assert.Equal([("orphan", 0), ("root", 0), ("a", 0), ("b", 1)], steps.Select(s => (s.SpanId, s.Depth)));
    }

    [Theory]
    [InlineData(102_400, 0)]
    [InlineData(102_401, 1)]
    public void The_context_warning_starts_just_past_80_percent_of_the_window(long inputTokens, int warnings)
    {
        var trace = Trace(Span("call", null, 0) with { Kind = "llm", Model = "gpt-4o", InputTokens = inputTokens });

        Assert.Equal(warnings, Replay.ToTurn(trace, Models).Warnings.Count);
    }

    [Fact]
    public void A_turn_totals_its_spans_tokens_and_cost_counting_missing_values_as_zero()
    {
        var trace = Trace(
            Span("a", null, 0) with { InputTokens = 100, OutputTokens = 7, Cost = 0.25 },
            Span("b", "a", 1) with { InputTokens = 40, Cost = 0.5 },
            Span("c", "a", 2) with { OutputTokens = 3 });

        var turn = Replay.ToTurn(trace, Models);

        Assert.Equal((140L, 10L, 0.75), (turn.InputTokens, turn.OutputTokens, turn.Cost));
    }

    [Fact]
    public void Without_a_trace_input_and_output_the_turn_shows_the_first_LLM_calls_input_and_the_last_ones_output()
    {
        // Listed out of start order on purpose: "first" and "last" are by start time.
        var trace = Trace(
            Llm("second", 2, input: "\"follow-up\"", output: "\"final answer\""),
            Llm("first", 1, input: "\"question\"", output: "\"draft\""),
            Span("tool", null, 3) with { Input = Json("\"tool input\""), Output = Json("\"tool output\"") });

        var turn = Replay.ToTurn(trace, Models);

        Assert.Equal("question", turn.UserInput?.GetString());
        Assert.Equal("final answer", turn.Response?.GetString());
    }

    [Fact]
    public void A_trace_input_and_output_win_over_its_LLM_calls()
    {
        var trace = Trace(Llm("call", 1, input: "\"prompt\"", output: "\"completion\"")) with { Input = Json("\"user typed\""), Output = Json("\"app answered\"") };

        var turn = Replay.ToTurn(trace, Models);

        Assert.Equal("user typed", turn.UserInput?.GetString());
        Assert.Equal("app answered", turn.Response?.GetString());
    }

    [Fact]
    public void Children_follow_their_parent_in_start_order_and_ties_go_by_span_id()
    {
        var trace = Trace(Span("root", null, 0), Span("late", "root", 5), Span("b-tie", "root", 1), Span("a-tie", "root", 1), Span("grandchild", "late", 6));

        var steps = Replay.ToTurn(trace, Models).Steps;

        Assert.Equal([("root", 0), ("a-tie", 1), ("b-tie", 1), ("late", 1), ("grandchild", 2)], steps.Select(s => (s.SpanId, s.Depth)));
    }

    [Fact]
    public void Durations_are_whole_milliseconds_never_negative_and_absent_until_the_span_ends()
    {
        var trace = Trace(
            Span("ended", null, 0) with { EndedAt = T0.AddMilliseconds(1234.6) },
            Span("backwards", null, 1) with { EndedAt = T0 },
            Span("running", null, 2)) with { EndedAt = T0.AddSeconds(3) };

        var turn = Replay.ToTurn(trace, Models);

        Assert.Equal(3000, turn.DurationMs);
        Assert.Equal([1235L, 0L, null], turn.Steps.Select(s => s.DurationMs));
    }

    [Fact]
    public void The_context_warning_names_the_span_the_tokens_and_the_share_of_the_window()
    {
        // gpt-4o's window is 128,000 tokens in the shipped catalog: 115,200 tokens are 90 % of it.
        var trace = Trace(Span("call", null, 0) with { Kind = "llm", Model = "gpt-4o", InputTokens = 115_200 });

        var warning = Assert.Single(Replay.ToTurn(trace, Models).Warnings);

        Assert.Equal("Span 'call' sent 115,200 input tokens to gpt-4o: 90% of its 128,000-token context window.", warning);
    }

    private static SpanView Llm(string id, int second, string input, string output) =>
        Span(id, null, second) with { Kind = "llm", Input = Json(input), Output = Json(output) };

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static SpanView Span(string id, string? parent, int second) =>
        new(id, "t", parent, id, "custom", null, null, null, null, null, null, null, null, "ok", null, T0.AddSeconds(second), null, null);

    private static TraceView Trace(params SpanView[] spans) => new("t", null, "s", null, T0, null, null, null, "ok", [], null, spans);
}
