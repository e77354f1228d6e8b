using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Traceway.Tests.Sessions;

/// <summary><c>GET /api/traces</c> over the seeded data: filters, sorts and pages of 7.</summary>
[Collection(SeededData.Name)]
public sealed class TraceListTests(SeededSessions data)
{
    private sealed record SeededTrace(string TraceId, string SessionId, DateTimeOffset StartedAt, double Cost, long Tokens, string Status, string[] Tags, string Model, string UserId);

    private IEnumerable<SeededTrace> Traces => data.Sessions.SelectMany(s => Enumerable.Range(0, s.Turns).Select(turn => new SeededTrace(
        $"{s.SessionId}-t{turn}", s.SessionId, s.StartedAt.AddMinutes(turn), s.SpanCost, s.InputTokens + 10,
        s.Failed && turn == 0 ? "error" : "ok", turn == 0 ? s.Tags : [], s.Model, s.UserId)));

    [Fact]
    public async Task The_traces_of_one_session_come_newest_first_by_default()
    {
        var ids = await PageThroughAsync("sessionId=sess-003");

        Assert.Equal(["sess-003-t3", "sess-003-t2", "sess-003-t1", "sess-003-t0"], ids);
    }

    [Fact]
    public async Task Failed_traces_of_a_model_sorted_by_cost_ascending_page_through_exactly()
    {
        var expected = Traces.Where(t => t.Status == "error" && t.Model == "gpt-4o").OrderBy(t => t.Cost).ThenBy(t => t.TraceId, StringComparer.Ordinal).Select(t => t.TraceId);

        var ids = await PageThroughAsync("status=error&model=gpt-4o&orderBy=cost&order=asc");

        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task Tag_user_and_name_filters_combine_with_a_token_sort()
    {
        var expected = Traces.Where(t => t.Tags.Contains("vip") && t.UserId == "user-0").OrderByDescending(t => t.Tokens).ThenByDescending(t => t.TraceId, StringComparer.Ordinal).Select(t => t.TraceId);

        var ids = await PageThroughAsync("tag=vip&userId=user-0&name=turn&orderBy=tokens");

        Assert.Equal(expected, ids);
        Assert.NotEmpty(ids);
    }

    [Fact]
    public async Task From_keeps_the_traces_still_active_at_that_time_including_those_that_started_before_it()
    {
        // Every seeded trace runs 30 s from its start. From 10 s after a start, that trace is still active:
        // filtering by activity (lastActivityAt) and filtering by start (startedAt) give different sets.
        var from = data.Sessions[10].StartedAt.AddSeconds(10);
        var to = data.Sessions[14].StartedAt;
        var expected = Traces.Where(t => t.StartedAt.AddSeconds(30) >= from && t.StartedAt < to).OrderBy(t => t.StartedAt).ThenBy(t => t.TraceId, StringComparer.Ordinal).Select(t => t.TraceId).ToList();
        Assert.Contains("sess-010-t0", expected);
        Assert.NotEqual(expected, Traces.Where(t => t.StartedAt >= from && t.StartedAt < to).Select(t => t.TraceId));

        var ids = await PageThroughAsync($"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&orderBy=startedAt&order=asc");

        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task A_bad_sort_is_a_400_naming_it()
    {
        using var client = data.CreateClient(data.Project.ReadKey);

        using var response = await client.GetAsync(new Uri("/api/traces?orderBy=traceCount", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("orderBy", out _));
    }

    private async Task<List<string>> PageThroughAsync(string query)
    {
        using var client = data.CreateClient(data.Project.ReadKey);
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var body = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/traces?{query}&limit=7" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), UriKind.Relative));
            ids.AddRange(body.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("traceId").GetString()!));
            cursor = body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return ids;
    }
}
