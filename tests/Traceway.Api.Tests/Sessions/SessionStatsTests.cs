using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Traceway.Tests.Sessions;

/// <summary>The user-journey statistics over the seeded sessions equal what the seed says, with and without filters.</summary>
[Collection(SeededData.Name)]
public sealed class SessionStatsTests(SeededSessions data)
{
    [Theory]
    [InlineData("")]
    [InlineData("status=ok&tag=prod")]
    [InlineData("model=gpt-4o&minCost=1")]
    public async Task Statistics_match_the_seeded_sessions(string query)
    {
        using var client = data.CreateClient(data.Project.ReadKey);
        var sessions = data.Sessions.Where(Matches(query)).ToList();
        var costs = sessions.Select(s => s.TotalCost).Order().ToList();
        var turns = sessions.Select(s => s.Turns).Order().ToList();

        var stats = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/stats/sessions?" + query, UriKind.Relative));

        Assert.Equal(sessions.Count, stats.GetProperty("sessionCount").GetInt32());
        Assert.Equal(turns.Sum(), stats.GetProperty("traceCount").GetInt64());
        Assert.Equal(turns.Average(), stats.GetProperty("avgTurns").GetDouble(), 3);
        Assert.Equal(turns.Count % 2 == 1 ? turns[turns.Count / 2] : (turns[(turns.Count / 2) - 1] + turns[turns.Count / 2]) / 2.0, stats.GetProperty("medianTurns").GetDouble());
        Assert.Equal(
            turns.GroupBy(t => t).Select(g => (g.Key, g.Count())),
            stats.GetProperty("turnHistogram").EnumerateArray().Select(b => (b.GetProperty("turns").GetInt32(), b.GetProperty("sessions").GetInt32())));
        Assert.Equal(costs.Sum(), stats.GetProperty("totalCost").GetDouble(), 6);
        Assert.Equal(costs[(int)Math.Ceiling(0.5 * costs.Count) - 1], stats.GetProperty("costP50").GetDouble(), 9);
        Assert.Equal(costs[(int)Math.Ceiling(0.95 * costs.Count) - 1], stats.GetProperty("costP95").GetDouble(), 9);
        Assert.Equal(sessions.Count(s => s.Failed), stats.GetProperty("errorSessions").GetInt32());
        Assert.Equal((double)sessions.Count(s => s.Failed) / sessions.Count, stats.GetProperty("errorRate").GetDouble(), tolerance: 1e-6);
        var models = stats.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("model").GetString()!);
        Assert.Equal(sessions.Select(s => s.Model).Distinct().Order(StringComparer.Ordinal), models.Keys.Order(StringComparer.Ordinal));
        foreach (var group in sessions.GroupBy(s => s.Model))
        {
            Assert.Equal(group.Count(), models[group.Key].GetProperty("sessions").GetInt32());
            Assert.Equal(group.Sum(s => s.TotalCost), models[group.Key].GetProperty("cost").GetDouble(), 6);
            Assert.Equal(group.Sum(s => s.TotalTokens), models[group.Key].GetProperty("tokens").GetInt64());
        }
    }

    [Fact]
    public async Task A_bad_filter_is_a_400_naming_it()
    {
        using var client = data.CreateClient(data.Project.ReadKey);

        using var response = await client.GetAsync(new Uri("/api/stats/sessions?maxCost=-3", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("maxCost", out _));
    }

    private static Func<SeededSession, bool> Matches(string query) => query switch
    {
        "" => _ => true,
        "status=ok&tag=prod" => s => !s.Failed && s.Tags.Contains("prod"),
        "model=gpt-4o&minCost=1" => s => s.Model == "gpt-4o" && s.TotalCost >= 1,
        _ => throw new ArgumentOutOfRangeException(nameof(query)),
    };
}
