using System.Globalization;
using System.Text.Json.Nodes;

namespace Traceway.Tests.Rollups;

/// <summary>
/// The test oracle of the rollups: the trace and session summaries a set of ingested traces must have,
/// computed here from the JSON the test sent (sums of its tokens and costs, counts, first start, last end,
/// status), never by the app's own rollup code. Covers traces sent whole (trace document with its spans
/// nested), each span sent once, each span's cost given by the caller or the span having no model.
/// </summary>
public static class SummaryOracle
{
    /// <summary>Asserts every metric of a stored trace summary against the trace as sent.</summary>
    public static void AssertTrace(JsonObject sent, JsonNode? summary)
    {
        var traceId = (string)sent["id"]!;
        Assert.True(summary is not null, $"no summary of trace {traceId}");
        var spans = Spans(sent);
        var because = $"trace {traceId}: {summary.ToJsonString()}";
        var startedAt = Time(sent["startedAt"])!.Value;
        var endedAt = Time(sent["endedAt"]);
        var errors = spans.Count(s => (string?)s["status"] == "error");

        Assert.True(traceId == (string?)summary["traceId"], because);
        Assert.True((string?)sent["sessionId"] == (string?)summary["sessionId"], because);
        Assert.True((string?)sent["name"] == (string?)summary["name"], because);
        Assert.True((string?)sent["userId"] == (string?)summary["userId"], because);
        Assert.True((errors > 0 || (string?)sent["status"] == "error" ? "error" : "ok") == (string?)summary["status"], because);
        Assert.True(spans.Count == (int)summary["spanCount"]!, because);
        Assert.True(errors == (int)summary["errorCount"]!, because);
        AssertUsage(spans, summary, because);
        Assert.True(startedAt == (DateTimeOffset)summary["startedAt"]!, because);
        Assert.True(endedAt == Time(summary["endedAt"]), because);
        Assert.True((endedAt ?? startedAt) == (DateTimeOffset)summary["lastActivityAt"]!, because);
        Assert.True((endedAt is { } end ? (long?)(end - startedAt).TotalMilliseconds : null) == (long?)summary["durationMs"], because);
        Assert.True(Sorted(spans.Select(s => (string?)s["model"])).SequenceEqual(Strings(summary["models"])), because);
        Assert.True(Sorted(Strings(sent["tags"])).SequenceEqual(Strings(summary["tags"])), because);
    }

    /// <summary>Token and cost totals of a summary against the spans sent in it.</summary>
    private static void AssertUsage(List<JsonNode> spans, JsonNode summary, string because)
    {
        Assert.True(spans.Sum(s => Tokens(s, "inputTokens")) == (long)summary["inputTokens"]!, because);
        Assert.True(spans.Sum(s => Tokens(s, "outputTokens")) == (long)summary["outputTokens"]!, because);
        Assert.True(spans.Sum(s => Tokens(s, "inputTokens") + Tokens(s, "outputTokens")) == (long)summary["totalTokens"]!, because);
        Assert.True(spans.Select(s => Tokens(s, "inputTokens")).DefaultIfEmpty(0).Max() == (long)summary["maxInputTokens"]!, because);
        Assert.True(Math.Abs(spans.Sum(Cost) - (double)summary["totalCost"]!) < 1e-9, because);
    }

    /// <summary>Asserts every metric of a stored session summary against the traces sent in it.</summary>
    public static void AssertSession(IReadOnlyCollection<JsonObject> sent, JsonNode? summary)
    {
        Assert.NotNull(summary);
        var spans = sent.SelectMany(Spans).ToList();
        var because = summary.ToJsonString();
        var startedAt = sent.Min(t => Time(t["startedAt"])!.Value);
        var ends = sent.Select(t => Time(t["endedAt"])).ToList();
        var endedAt = ends.Max();
        var lastActivity = sent.Max(t => Time(t["endedAt"]) ?? Time(t["startedAt"])!.Value);
        var failed = sent.Count(t => (string?)t["status"] == "error" || Spans(t).Any(s => (string?)s["status"] == "error"));

        Assert.True(sent.Select(t => (string?)t["sessionId"]).Distinct().Single() == (string?)summary["sessionId"], because);
        Assert.True(sent.Count == (int)summary["traceCount"]!, because);
        Assert.True(spans.Count == (int)summary["spanCount"]!, because);
        Assert.True(spans.Count(s => (string?)s["status"] == "error") == (int)summary["errorCount"]!, because);
        Assert.True((failed > 0 ? "error" : "ok") == (string?)summary["status"], because);
        AssertUsage(spans, summary, because);
        Assert.True(startedAt == (DateTimeOffset)summary["startedAt"]!, because);
        Assert.True(endedAt == Time(summary["endedAt"]), because);
        Assert.True(lastActivity == (DateTimeOffset)summary["lastActivityAt"]!, because);
        Assert.True((long)((endedAt ?? lastActivity) - startedAt).TotalMilliseconds == (long)summary["durationMs"]!, because);
        Assert.True(Sorted(sent.SelectMany(t => Strings(t["tags"]))).SequenceEqual(Strings(summary["tags"])), because);
        Assert.True(Sorted(spans.Select(s => (string?)s["model"])).SequenceEqual(Strings(summary["models"])), because);
        Assert.True(Sorted(sent.Select(t => (string?)t["userId"])).SequenceEqual(Strings(summary["userIds"])), because);
    }

    private static List<JsonNode> Spans(JsonObject trace) => [.. (trace["spans"]?.AsArray() ?? []).Select(s => s!)];

    // Parsed from the JSON text, so that whatever .NET type the test built the value from, it reads as sent.
    private static long Tokens(JsonNode span, string field) => span[field] is { } value ? long.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) : 0;

    private static double Cost(JsonNode span)
    {
        Assert.True(span["cost"] is not null || span["model"] is null, $"the oracle needs the caller's cost of a span with a model: {span.ToJsonString()}");
        return span["cost"] is { } cost ? double.Parse(cost.ToJsonString(), CultureInfo.InvariantCulture) : 0;
    }

    private static DateTimeOffset? Time(JsonNode? value) =>
        value is null ? null : DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static IEnumerable<string?> Strings(JsonNode? array) => array?.AsArray().Select(v => (string?)v) ?? [];

    private static List<string> Sorted(IEnumerable<string?> values) => [.. values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
