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

    private static SpanView Span(string id, string? parent, int second) =>
        new(id, "t", parent, id, "custom", null, null, null, null, null, null, null, null, "ok", null, T0.AddSeconds(second), null, null);

    private static TraceView Trace(params SpanView[] spans) => new("t", null, "s", null, T0, null, null, null, "ok", [], null, spans);
}
