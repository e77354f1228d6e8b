using System.Text.Json.Serialization;

namespace Traceway.Rollups;

/// <summary>
/// The rollup math as partial aggregates that combine exactly: a summary of a set of documents is the same
/// whether it is computed from all of them at once or by combining the partials of any split of the set, in
/// any order (sums of integers and of fixed-scale decimals, minima, maxima, sorted distinct sets). That is what
/// lets the change feed keep a ledger of per-span (per-turn) contributions in chunks, recompute only the
/// partial of a chunk that changed, and still write the very summary a full recomputation gives.
/// </summary>
internal static class RollupMath
{
    /// <summary>Costs are added as decimals rounded to 12 places: exact and associative, unlike doubles (whose sum depends on order).</summary>
    public const int CostScale = 12;

    public static decimal CostOf(double? cost) => decimal.Round((decimal)(cost ?? 0), CostScale);

    /// <summary>What a summary shows: rounded to 9 places, as summaries always were.</summary>
    public static double ShownCost(decimal cost) => (double)decimal.Round(cost, 9);

    public static TracePartial Aggregate(IEnumerable<SpanEntry> spans) => spans.Aggregate(new TracePartialBuilder(), (b, s) => b.Add(s)).Build();

    public static TracePartial Combine(IEnumerable<TracePartial> partials) => partials.Aggregate(new TracePartialBuilder(), (b, p) => b.Add(p)).Build();

    public static SessionPartial Aggregate(IEnumerable<TurnEntry> turns) => turns.Aggregate(new SessionPartialBuilder(), (b, t) => b.Add(t)).Build();

    public static SessionPartial Combine(IEnumerable<SessionPartial> partials) => partials.Aggregate(new SessionPartialBuilder(), (b, p) => b.Add(p)).Build();

    internal static IReadOnlyList<UsagePart> MergeUsage(Dictionary<string, (long Tokens, decimal Cost)> usage) =>
        [.. usage.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => new UsagePart(u.Key, u.Value.Tokens, u.Value.Cost))];

    internal static void AddUsage(Dictionary<string, (long Tokens, decimal Cost)> usage, string model, long tokens, decimal cost)
    {
        usage.TryGetValue(model, out var sum);
        usage[model] = (sum.Tokens + tokens, sum.Cost + cost);
    }

    internal static T? Min<T>(T? a, T? b)
        where T : struct, IComparable<T> => a is null ? b : b is null ? a : (a.Value.CompareTo(b.Value) <= 0 ? a : b);

    internal static T? Max<T>(T? a, T? b)
        where T : struct, IComparable<T> => a is null ? b : b is null ? a : (a.Value.CompareTo(b.Value) >= 0 ? a : b);

    internal static string? MinString(string? a, string? b) => a is null ? b : b is null ? a : (string.CompareOrdinal(a, b) <= 0 ? a : b);

    private sealed class TracePartialBuilder
    {
        private readonly Dictionary<string, (long Tokens, decimal Cost)> _usage = new(StringComparer.Ordinal);
        private int _spans;
        private int _errors;
        private long _in;
        private long _out;
        private decimal _cost;
        private long _maxIn;
        private DateTimeOffset? _firstStart;
        private DateTimeOffset? _lastEnd;
        private string? _sessionId;

        public TracePartialBuilder Add(SpanEntry s)
        {
            _spans++;
            _errors += s.Error ? 1 : 0;
            _in += s.In;
            _out += s.Out;
            _cost += s.Cost;
            _maxIn = Math.Max(_maxIn, s.In);
            _firstStart = Min<DateTimeOffset>(_firstStart, s.StartedAt);
            _lastEnd = Max(_lastEnd, s.EndedAt);
            _sessionId = MinString(_sessionId, s.SessionId);
            if (s.Model is not null)
            {
                AddUsage(_usage, s.Model, s.In + s.Out, s.Cost);
            }

            return this;
        }

        public TracePartialBuilder Add(TracePartial p)
        {
            _spans += p.Spans;
            _errors += p.Errors;
            _in += p.In;
            _out += p.Out;
            _cost += p.Cost;
            _maxIn = Math.Max(_maxIn, p.MaxIn);
            _firstStart = Min(_firstStart, p.FirstStart);
            _lastEnd = Max(_lastEnd, p.LastEnd);
            _sessionId = MinString(_sessionId, p.SessionId);
            foreach (var u in p.Usage)
            {
                AddUsage(_usage, u.Model, u.Tokens, u.Cost);
            }

            return this;
        }

        public TracePartial Build() => new(_spans, _errors, _in, _out, _cost, _maxIn, _firstStart, _lastEnd, _sessionId, MergeUsage(_usage));
    }

    private sealed class SessionPartialBuilder
    {
        private readonly Dictionary<string, (long Tokens, decimal Cost)> _usage = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _tags = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _models = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _userIds = new(StringComparer.Ordinal);
        private int _traces;
        private int _spans;
        private int _errors;
        private bool _failed;
        private long _in;
        private long _out;
        private decimal _cost;
        private long _maxIn;
        private DateTimeOffset? _firstStart;
        private DateTimeOffset? _lastEnd;
        private DateTimeOffset? _lastActivity;

        public SessionPartialBuilder Add(TurnEntry t)
        {
            _traces++;
            _spans += t.Spans;
            _errors += t.Errors;
            _failed |= t.Failed;
            _in += t.In;
            _out += t.Out;
            _cost += t.Cost;
            _maxIn = Math.Max(_maxIn, t.MaxIn);
            _firstStart = Min<DateTimeOffset>(_firstStart, t.StartedAt);
            _lastEnd = Max(_lastEnd, t.EndedAt);
            _lastActivity = Max<DateTimeOffset>(_lastActivity, t.LastActivityAt);
            _tags.UnionWith(t.Tags);
            _models.UnionWith(t.Models);
            if (t.UserId is not null)
            {
                _userIds.Add(t.UserId);
            }

            foreach (var u in t.Usage)
            {
                AddUsage(_usage, u.Model, u.Tokens, u.Cost);
            }

            return this;
        }

        public SessionPartialBuilder Add(SessionPartial p)
        {
            _traces += p.Traces;
            _spans += p.Spans;
            _errors += p.Errors;
            _failed |= p.Failed;
            _in += p.In;
            _out += p.Out;
            _cost += p.Cost;
            _maxIn = Math.Max(_maxIn, p.MaxIn);
            _firstStart = Min(_firstStart, p.FirstStart);
            _lastEnd = Max(_lastEnd, p.LastEnd);
            _lastActivity = Max(_lastActivity, p.LastActivity);
            _tags.UnionWith(p.Tags);
            _models.UnionWith(p.Models);
            _userIds.UnionWith(p.UserIds);
            foreach (var u in p.Usage)
            {
                AddUsage(_usage, u.Model, u.Tokens, u.Cost);
            }

            return this;
        }

        public SessionPartial Build() =>
            new(_traces, _spans, _errors, _failed, _in, _out, _cost, _maxIn, _firstStart, _lastEnd, _lastActivity, [.. _tags], [.. _models], [.. _userIds], MergeUsage(_usage));
    }
}

/// <summary>A ledger entry: <see cref="V"/> orders versions of the same document (its <c>_lsn</c>), so an older one never replaces a newer one.</summary>
internal interface ILedgerEntry
{
    long V { get; }
}

/// <summary>One span's contribution to its trace summary, keyed by span id in the trace's ledger.</summary>
internal sealed record SpanEntry(
    long V,
    bool Error,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long In,
    long Out,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] decimal Cost,
    string? Model,
    string? SessionId) : ILedgerEntry
{
    public static SpanEntry From(MetricFields span, long version) =>
        new(version, span.Status == "error", span.StartedAt, span.EndedAt, span.InputTokens ?? 0, span.OutputTokens ?? 0, RollupMath.CostOf(span.Cost), span.Model, span.SessionId);
}

/// <summary>Tokens and cost of one model within a partial, cost as an exact decimal.</summary>
internal sealed record UsagePart(
    string Model,
    long Tokens,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] decimal Cost);

/// <summary>The aggregate of a set of span entries (a chunk of a trace's ledger, or all of them).</summary>
internal sealed record TracePartial(
    int Spans,
    int Errors,
    long In,
    long Out,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] decimal Cost,
    long MaxIn,
    DateTimeOffset? FirstStart,
    DateTimeOffset? LastEnd,
    string? SessionId,
    IReadOnlyList<UsagePart> Usage)
{
    public static TracePartial Empty { get; } = RollupMath.Aggregate(Array.Empty<SpanEntry>());

    public bool Same(TracePartial other) => Hosting.TracewayJson.SameJson(this, other);
}

/// <summary>One turn's (trace summary's) contribution to its session summary, keyed by trace id in the session's ledger.</summary>
internal sealed record TurnEntry(
    long V,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset LastActivityAt,
    int Spans,
    int Errors,
    bool Failed,
    long In,
    long Out,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] decimal Cost,
    long MaxIn,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Models,
    string? UserId,
    IReadOnlyList<UsagePart> Usage) : ILedgerEntry
{
    public static TurnEntry From(TraceSummary trace, long version) =>
        new(version, trace.StartedAt, trace.EndedAt, trace.LastActivityAt, trace.SpanCount, trace.ErrorCount, trace.Status == "error", trace.InputTokens, trace.OutputTokens,
            RollupMath.CostOf(trace.TotalCost), trace.MaxInputTokens, trace.Tags, trace.Models, trace.UserId,
            [.. trace.ModelUsage.Select(u => new UsagePart(u.Model, u.Tokens, RollupMath.CostOf(u.Cost)))]);
}

/// <summary>The aggregate of a set of turn entries.</summary>
internal sealed record SessionPartial(
    int Traces,
    int Spans,
    int Errors,
    bool Failed,
    long In,
    long Out,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] decimal Cost,
    long MaxIn,
    DateTimeOffset? FirstStart,
    DateTimeOffset? LastEnd,
    DateTimeOffset? LastActivity,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Models,
    IReadOnlyList<string> UserIds,
    IReadOnlyList<UsagePart> Usage)
{
    public bool Same(SessionPartial other) => Hosting.TracewayJson.SameJson(this, other);
}
