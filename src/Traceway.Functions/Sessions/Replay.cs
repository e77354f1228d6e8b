using System.Globalization;
using System.Text.Json;
using Traceway.Models;
using Traceway.Traces;

namespace Traceway.Sessions;

/// <summary>One turn of a replayed conversation.</summary>
internal sealed record Turn(
    string TraceId,
    string? Name,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long? DurationMs,
    long InputTokens,
    long OutputTokens,
    double Cost,
    string Status,
    JsonElement? UserInput,
    JsonElement? Response,
    IReadOnlyList<Step> Steps,
    IReadOnlyList<string> Warnings);

/// <summary>One span of a turn, in the depth-first, start-ordered walk of the span tree.</summary>
internal sealed record Step(
    string SpanId,
    string? ParentId,
    int Depth,
    string Kind,
    string Name,
    string? Model,
    DateTimeOffset StartedAt,
    long? DurationMs,
    long? InputTokens,
    long? OutputTokens,
    double? Cost,
    string Status,
    string? Error,
    JsonElement? Input,
    JsonElement? Output);

/// <summary>Shapes a trace into a turn (API.md, replay). Pure, so the rules are tested directly.</summary>
internal static class Replay
{
    /// <summary>A warning is raised when an LLM call's input passes this share of its model's context window.</summary>
    public const double ContextWarningShare = 0.8;

    public static Turn ToTurn(TraceView trace, ModelCatalog models)
    {
        var steps = Flatten(trace.Spans);
        var llmCalls = trace.Spans.Where(s => s.Kind == "llm").OrderBy(s => s.StartedAt).ToList();
        return new Turn(
            trace.Id,
            trace.Name,
            trace.StartedAt,
            trace.EndedAt,
            Duration(trace.StartedAt, trace.EndedAt),
            trace.Spans.Sum(s => s.InputTokens ?? 0),
            trace.Spans.Sum(s => s.OutputTokens ?? 0),
            Math.Round(trace.Spans.Select(s => s.Cost ?? 0).Order().Sum(), 9),
            trace.Status,
            trace.Input ?? llmCalls.FirstOrDefault()?.Input,
            trace.Output ?? llmCalls.LastOrDefault()?.Output,
            steps,
            [.. llmCalls.Select(call => ContextWarning(call, models)).OfType<string>()]);
    }

    /// <summary>The span tree walked depth-first, children in start order; spans whose parent is unknown are roots.</summary>
    private static List<Step> Flatten(IReadOnlyList<SpanView> spans)
    {
        var ids = spans.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var children = spans.ToLookup(s => s.ParentId is { } parent && ids.Contains(parent) && parent != s.Id ? parent : null);
        var steps = new List<Step>(spans.Count);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in InStartOrder(children[null]))
        {
            Visit(root, 0);
        }

        // Spans whose parent ids form a cycle (bad data) have no root above them: each is shown once all the same.
        foreach (var span in InStartOrder(spans.Where(s => !visited.Contains(s.Id))))
        {
            Visit(span, 0);
        }

        return steps;

        void Visit(SpanView span, int depth)
        {
            if (!visited.Add(span.Id))
            {
                return;
            }

            steps.Add(new Step(
                span.Id, span.ParentId, depth, span.Kind, span.Name, span.Model, span.StartedAt, Duration(span.StartedAt, span.EndedAt),
                span.InputTokens, span.OutputTokens, span.Cost, span.Status, span.Error, span.Input, span.Output));
            foreach (var child in InStartOrder(children[span.Id]))
            {
                Visit(child, depth + 1);
            }
        }

        static IEnumerable<SpanView> InStartOrder(IEnumerable<SpanView> spans) => spans.OrderBy(s => s.StartedAt).ThenBy(s => s.Id, StringComparer.Ordinal);
    }

    private static string? ContextWarning(SpanView call, ModelCatalog models)
    {
        if (call.InputTokens is not { } used || models.Find(call.Model)?.ContextWindow is not { } window || used <= window * ContextWarningShare)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"Span '{call.Id}' sent {used:N0} input tokens to {call.Model}: {100.0 * used / window:F0}% of its {window:N0}-token context window.");
    }

    private static long? Duration(DateTimeOffset start, DateTimeOffset? end) =>
        end is { } e ? (long)Math.Max(0, Math.Round((e - start).TotalMilliseconds)) : null;
}
