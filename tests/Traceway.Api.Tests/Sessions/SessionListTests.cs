using System.Text.Json.Nodes;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Sessions;

/// <summary>Every filter alone and in combination returns exactly the expected sessions, in order, across pages of 7.</summary>
[Collection(SeededData.Name)]
public sealed class SessionListTests(SeededSessions data)
{
    private static readonly DateTimeOffset Base = SeededSessions.Base;

    public static TheoryData<string, string> Queries => new()
    {
        { "default order", "" },
        { "from", $"from={Time(Base.AddHours(250))}" },
        { "to", $"to={Time(Base.AddHours(20))}" },
        { "from and to overlap", $"from={Time(Base.AddHours(100).AddMinutes(2))}&to={Time(Base.AddHours(110))}" },
        { "status error", "status=error" },
        { "status ok", "status=ok" },
        { "minCost", "minCost=2.5" },
        { "maxCost", "maxCost=0.3" },
        { "tag", "tag=vip" },
        { "two tags", "tag=vip&tag=prod" },
        { "model", "model=claude-3-5-sonnet" },
        { "userId", "userId=user-3" },
        { "orderBy cost asc", "orderBy=cost&order=asc" },
        { "orderBy tokens", "orderBy=tokens" },
        { "orderBy duration asc", "orderBy=duration&order=asc" },
        { "orderBy traceCount", "orderBy=traceCount" },
        { "orderBy startedAt asc", "orderBy=startedAt&order=asc" },
        { "errors that cost over $1 with gpt-4o", "status=error&minCost=1&model=gpt-4o" },
        { "vip prod sessions of a week by cost", $"tag=vip&tag=prod&from={Time(Base.AddDays(3))}&to={Time(Base.AddDays(10))}&orderBy=cost" },
        { "a user's sessions oldest first", "userId=user-4&orderBy=startedAt&order=asc" },
        { "cheap ok claude", "status=ok&maxCost=1&model=claude-3-5-sonnet&orderBy=tokens&order=asc" },
        { "cost band by duration", "minCost=0.5&maxCost=2&orderBy=duration" },
        { "dev tag and user", "tag=dev&userId=user-1&orderBy=traceCount&order=asc" },
        { "window and status", $"from={Time(Base.AddHours(50))}&to={Time(Base.AddHours(200))}&status=error&orderBy=lastActivity&order=asc" },
        { "gemini in a window by cost", $"model=gemini-2.0-flash&from={Time(Base.AddHours(10))}&to={Time(Base.AddHours(150))}&orderBy=cost&order=desc" },
        { "every filter at once", $"from={Time(Base)}&to={Time(Base.AddDays(20))}&status=ok&minCost=0.1&maxCost=3&tag=prod&model=gpt-4o&userId=user-6&orderBy=tokens" },
        { "nothing matches", "userId=nobody" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_filtered_sorted_list_pages_through_exactly_the_expected_sessions(string because, string query)
    {
        var expected = Expected(query);

        var actual = await data.PageThroughAsync(query);

        Assert.True(expected.SequenceEqual(actual), $"{because}: expected {expected.Count} [{string.Join(",", expected.Take(12))}…] got {actual.Count} [{string.Join(",", actual.Take(12))}…]");
    }

    [Fact]
    public async Task A_session_summary_in_the_list_has_the_seeded_values()
    {
        using var client = data.CreateClient(data.Project.ReadKey);
        var seeded = data.Sessions[35];

        var body = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/sessions?userId=user-5&orderBy=startedAt&order=asc&limit=200", UriKind.Relative));
        var item = body.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("sessionId").GetString() == seeded.SessionId);

        Assert.Equal(seeded.Turns, item.GetProperty("traceCount").GetInt32());
        Assert.Equal(seeded.TotalCost, item.GetProperty("totalCost").GetDouble(), 9);
        Assert.Equal(seeded.TotalTokens, item.GetProperty("totalTokens").GetInt64());
        Assert.Equal(seeded.DurationMs, item.GetProperty("durationMs").GetInt64());
        Assert.Equal(seeded.Failed ? "error" : "ok", item.GetProperty("status").GetString());
        Assert.Equal(seeded.Tags.Order(StringComparer.Ordinal), item.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([seeded.Model], item.GetProperty("models").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([seeded.UserId], item.GetProperty("userIds").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(seeded.InputTokens, item.GetProperty("maxInputTokens").GetInt64());
    }

    [Theory]
    [InlineData("status=failed", "status")]
    [InlineData("minCost=-1", "minCost")]
    [InlineData("minCost=abc", "minCost")]
    [InlineData("minCost=2&maxCost=1", "maxCost")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-11-20T10:00:00", "from")]
    [InlineData("orderBy=name", "orderBy")]
    [InlineData("order=up", "order")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=garbage", "cursor")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string parameter)
    {
        using var client = data.CreateClient(data.Project.ReadKey);

        using var response = await client.GetAsync(new Uri("/api/sessions?" + query, UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty(parameter, out _), body.ToString());
    }

    [Fact]
    public async Task A_cursor_is_refused_with_other_filters_and_for_another_project()
    {
        using var client = data.CreateClient(data.Project.ReadKey);
        var first = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/sessions?status=ok&limit=3", UriKind.Relative));
        var cursor = Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!);
        var other = await data.CreateProjectAsync("other");
        using var otherClient = data.CreateClient(other.ReadKey);

        using var otherFilter = await client.GetAsync(new Uri($"/api/sessions?status=error&limit=3&cursor={cursor}", UriKind.Relative));
        using var otherProject = await otherClient.GetAsync(new Uri($"/api/sessions?status=ok&limit=3&cursor={cursor}", UriKind.Relative));
        using var tampered = await client.GetAsync(new Uri($"/api/sessions?status=ok&limit=3&cursor={cursor[..^4]}abcd", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, otherFilter.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherProject.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
    }

    [Fact]
    public async Task An_edited_cursor_naming_the_callers_own_project_and_query_is_a_400_naming_cursor()
    {
        using var client = data.CreateClient(data.Project.ReadKey);
        var first = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/sessions?status=ok&limit=3", UriKind.Relative));
        var parts = first.GetProperty("nextCursor").GetString()!.Split('.');
        var payload = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]))!;
        Assert.Equal(data.Project.Id, (string?)payload["P"]);
        payload["C"] = "{\"token\":\"edited\",\"range\":{\"min\":\"\",\"max\":\"FF\"}}";
        var edited = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[1];

        using var response = await client.GetAsync(new Uri($"/api/sessions?status=ok&limit=3&cursor={Uri.EscapeDataString(edited)}", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty("cursor", out _), body.ToString());
    }

    [Fact]
    public async Task A_key_of_another_project_sees_none_of_these_sessions()
    {
        var other = await data.CreateProjectAsync("stranger");
        using var client = data.CreateClient(other.ReadKey);

        var list = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/sessions?limit=200", UriKind.Relative));
        using var detail = await client.GetAsync(new Uri("/api/sessions/sess-001", UriKind.Relative));
        using var replay = await client.GetAsync(new Uri("/api/sessions/sess-001/replay", UriKind.Relative));
        using var trace = await client.GetAsync(new Uri("/api/traces/sess-001-t0", UriKind.Relative));

        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, detail.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, trace.StatusCode);
    }

    private List<string> Expected(string query)
    {
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Select(p => (Key: p[0], Value: Uri.UnescapeDataString(p[1]))).ToList();
        string? One(string key) => parameters.Where(p => p.Key == key).Select(p => p.Value).FirstOrDefault();
        var tags = parameters.Where(p => p.Key == "tag").Select(p => p.Value).ToList();
        var orderBy = One("orderBy") ?? "lastActivity";
        var descending = One("order") != "asc";

        var matching = data.Sessions.Where(s =>
            (One("from") is not { } from || s.LastActivityAt >= DateTimeOffset.Parse(from, CultureInfo.InvariantCulture))
            && (One("to") is not { } to || s.StartedAt < DateTimeOffset.Parse(to, CultureInfo.InvariantCulture))
            && (One("status") is not { } status || (s.Failed ? "error" : "ok") == status)
            && (One("minCost") is not { } min || s.TotalCost >= double.Parse(min, CultureInfo.InvariantCulture))
            && (One("maxCost") is not { } max || s.TotalCost <= double.Parse(max, CultureInfo.InvariantCulture))
            && tags.All(s.Tags.Contains)
            && (One("model") is not { } model || s.Model == model)
            && (One("userId") is not { } user || s.UserId == user));
        var ordered = descending
            ? matching.OrderByDescending(s => s.SortValue(orderBy)).ThenByDescending(s => s.SessionId, StringComparer.Ordinal)
            : matching.OrderBy(s => s.SortValue(orderBy)).ThenBy(s => s.SessionId, StringComparer.Ordinal);
        return [.. ordered.Select(s => s.SessionId)];
    }

    private static string Time(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
