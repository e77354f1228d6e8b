using System.ComponentModel;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Sessions;

/// <summary>The parameters of <c>GET /api/sessions</c>: the filters, the sort and the page.</summary>
internal sealed record SessionListQuery : SessionFilter, IQueryParameters<SessionListQuery>
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Sort names of the API and the summary field each sorts by.</summary>
    private static readonly Dictionary<string, string> SortFields = new(StringComparer.Ordinal)
    {
        ["lastActivity"] = "lastActivityAt",
        ["startedAt"] = "startedAt",
        ["cost"] = "totalCost",
        ["tokens"] = "totalTokens",
        ["duration"] = "durationMs",
        ["traceCount"] = "traceCount",
    };

    private static readonly string[] SortNames = [.. SortFields.Keys];

    private SessionListQuery(SessionFilter filter)
        : base(filter)
    {
    }

    [Description("lastActivity (default), startedAt, cost, tokens, duration, traceCount.")]
    [DefaultValue("lastActivity")]
    public string OrderBy { get; init; } = "lastActivity";

    [Description("desc (default) or asc.")]
    [DefaultValue("desc")]
    public string Order { get; init; } = "desc";

    [Description("Sessions per page: 1-200, default 50.")]
    [DefaultValue(DefaultLimit)]
    public int Limit { get; init; } = DefaultLimit;

    [Description("nextCursor of the previous page.")]
    public string? Cursor { get; init; }

    /// <summary>What a cursor is bound to: the filters and the sort, not the page size.</summary>
    public string Scope => System.Text.Json.JsonSerializer.Serialize(new object?[]
    {
        "sessions", Time(From), Time(To), Status, MinCost, MaxCost, Tag, Model, UserId, OrderBy, Order == "desc",
    });

    public static new SessionListQuery Read(IQueryCollection query, Dictionary<string, string[]> errors) => new(SessionFilter.Read(query, errors))
    {
        OrderBy = QueryValues.OneOf(query, "orderBy", SortNames, errors) ?? "lastActivity",
        Order = QueryValues.Order(query, errors),
        Limit = QueryValues.Limit(query, DefaultLimit, MaxLimit, errors),
        Cursor = query["cursor"],
    };

    /// <summary>The summaries query in the requested order; the session id breaks ties (composite indexes in cosmos-containers.json).</summary>
    public Microsoft.Azure.Cosmos.QueryDefinition ToQuery(string projectId) =>
        Where(projectId).Build(SortFields[OrderBy], Order == "desc", "sessionId");

    private static string? Time(DateTimeOffset? time) => time is { } t ? UtcTimestampConverter.ToText(t) : null;
}
