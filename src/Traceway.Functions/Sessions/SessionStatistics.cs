using Traceway.Rollups;

namespace Traceway.Sessions;

/// <summary>The user-journey figures of <c>GET /api/stats/sessions</c>.</summary>
internal sealed record SessionStats(
    int SessionCount,
    long TraceCount,
    double AvgTurns,
    double MedianTurns,
    IReadOnlyList<TurnBucket> TurnHistogram,
    double TotalCost,
    double CostP50,
    double CostP95,
    int ErrorSessions,
    double ErrorRate,
    IReadOnlyList<ModelStats> Models);

/// <summary>How many sessions had exactly this many turns: where conversations drop off.</summary>
internal sealed record TurnBucket(int Turns, int Sessions);

internal sealed record ModelStats(string Model, int Sessions, double Cost, long Tokens);

/// <summary>
/// Computes the statistics in C# while streaming session summaries (the store has no GROUP BY): only a
/// number or two per session is kept, never the summaries themselves.
/// </summary>
internal sealed class SessionStatistics
{
    private readonly List<int> _turns = [];
    private readonly List<double> _costs = [];
    private readonly Dictionary<string, (int Sessions, double Cost, long Tokens)> _models = new(StringComparer.Ordinal);
    private int _errorSessions;

    public void Add(SessionSummary session)
    {
        _turns.Add(session.TraceCount);
        _costs.Add(session.TotalCost);
        _errorSessions += session.Status == "error" ? 1 : 0;
        foreach (var usage in session.ModelUsage)
        {
            var (sessions, cost, tokens) = _models.GetValueOrDefault(usage.Model);
            _models[usage.Model] = (sessions + 1, cost + usage.Cost, tokens + usage.Tokens);
        }
    }

    public SessionStats Result()
    {
        var turns = _turns.Order().ToList();
        var costs = _costs.Order().ToList();
        var count = turns.Count;
        return new SessionStats(
            count,
            turns.Sum(t => (long)t),
            count == 0 ? 0 : Math.Round(turns.Average(), 4),
            count == 0 ? 0 : count % 2 == 1 ? turns[count / 2] : (turns[(count / 2) - 1] + turns[count / 2]) / 2.0,
            [.. turns.GroupBy(t => t).Select(g => new TurnBucket(g.Key, g.Count()))],
            Math.Round(costs.Sum(), 9),
            NearestRank(costs, 0.50),
            NearestRank(costs, 0.95),
            _errorSessions,
            count == 0 ? 0 : Math.Round((double)_errorSessions / count, 6),
            [.. _models.OrderByDescending(m => m.Value.Cost).ThenBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => new ModelStats(m.Key, m.Value.Sessions, Math.Round(m.Value.Cost, 9), m.Value.Tokens))]);
    }

    /// <summary>The nearest-rank percentile: the smallest value with at least p of the values at or below it.</summary>
    private static double NearestRank(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
