using Microsoft.Azure.Cosmos;
using Microsoft.OpenApi;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Sessions;

/// <summary>
/// The filters and sort of <c>GET /api/sessions</c> (and <c>/api/stats/sessions</c>), parsed from the query
/// string with every bad value named, and turned into one Cosmos DB query over the session summaries.
/// </summary>
internal sealed record SessionFilter(
    DateTimeOffset? From,
    DateTimeOffset? To,
    string? Status,
    double? MinCost,
    double? MaxCost,
    IReadOnlyList<string> Tags,
    string? Model,
    string? UserId,
    string OrderBy,
    bool Descending,
    int Limit)
{
    public const int MaxLimit = 200;

    /// <summary>Sort names of the API and the summary field each sorts by.</summary>
    public static readonly IReadOnlyDictionary<string, string> SortFields = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["lastActivity"] = "lastActivityAt",
        ["startedAt"] = "startedAt",
        ["cost"] = "totalCost",
        ["tokens"] = "totalTokens",
        ["duration"] = "durationMs",
        ["traceCount"] = "traceCount",
    };

    /// <summary>The parameters, as the OpenAPI document describes them.</summary>
    public static readonly QueryParameter[] Parameters =
    [
        new("from", "Sessions with activity at or after this RFC 3339 time (activity overlapping [from, to))."),
        new("to", "Sessions that started before this RFC 3339 time."),
        new("status", "ok or error (error: some span failed)."),
        new("minCost", "Total cost at least this many USD.", JsonSchemaType.Number),
        new("maxCost", "Total cost at most this many USD.", JsonSchemaType.Number),
        new("tag", "The session has every given tag.", Repeatable: true),
        new("model", "Some span of the session used this model."),
        new("userId", "Some trace of the session has this user id."),
        new("orderBy", "lastActivity (default), startedAt, cost, tokens, duration, traceCount."),
        new("order", "desc (default) or asc."),
        new("limit", "1-200, default 50.", JsonSchemaType.Integer),
        new("cursor", "nextCursor of the previous page."),
    ];

    public static (SessionFilter? Filter, Dictionary<string, string[]> Errors) Parse(IQueryCollection query, int defaultLimit = 50)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var from = QueryValues.Time(query, "from", errors);
        var to = QueryValues.Time(query, "to", errors);
        var status = QueryValues.OneOf(query, "status", ["ok", "error"], errors);
        var minCost = QueryValues.Number(query, "minCost", errors);
        var maxCost = QueryValues.Number(query, "maxCost", errors);
        var tags = QueryValues.Texts(query, "tag", errors);
        var model = QueryValues.Text(query, "model", errors);
        var userId = QueryValues.Text(query, "userId", errors);
        var orderBy = QueryValues.OneOf(query, "orderBy", [.. SortFields.Keys], errors) ?? "lastActivity";
        var order = QueryValues.OneOf(query, "order", ["asc", "desc"], errors) ?? "desc";
        var limit = QueryValues.Limit(query, defaultLimit, MaxLimit, errors);
        if (from is not null && to is not null && to <= from)
        {
            errors["to"] = ["to must be after from."];
        }

        if (minCost is not null && maxCost is not null && maxCost < minCost)
        {
            errors["maxCost"] = ["maxCost must not be below minCost."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new SessionFilter(from, to, status, minCost, maxCost, tags, model, userId, orderBy, order == "desc", limit), errors);
    }

    /// <summary>The summaries query: the project's session summaries matching every filter, in the requested order.</summary>
    public QueryDefinition ToQuery(string projectId, bool sorted = true)
    {
        var query = new QueryBuilder("SELECT * FROM c WHERE c.type = 'sessionSummary'")
            .Where("c.projectId = @projectId", "@projectId", projectId)
            // Activity [startedAt, lastActivityAt] overlapping [from, to).
            .WhereIf(From is not null, "c.lastActivityAt >= @from", "@from", From is { } from ? UtcTimestampConverter.ToText(from) : null)
            .WhereIf(To is not null, "c.startedAt < @to", "@to", To is { } to ? UtcTimestampConverter.ToText(to) : null)
            .WhereIf(Status is not null, "c.status = @status", "@status", Status)
            .WhereIf(MinCost is not null, "c.totalCost >= @minCost", "@minCost", MinCost)
            .WhereIf(MaxCost is not null, "c.totalCost <= @maxCost", "@maxCost", MaxCost)
            .WhereIf(Model is not null, "ARRAY_CONTAINS(c.models, @model)", "@model", Model)
            .WhereIf(UserId is not null, "ARRAY_CONTAINS(c.userIds, @userId)", "@userId", UserId);
        for (var i = 0; i < Tags.Count; i++)
        {
            query.Where($"ARRAY_CONTAINS(c.tags, @tag{i})", $"@tag{i}", Tags[i]);
        }

        // The session id breaks ties, so pages never shuffle equal values (composite indexes in cosmos-containers.json).
        var direction = Descending ? "DESC" : "ASC";
        return query.Build(sorted ? $"c.{SortFields[OrderBy]} {direction}, c.sessionId {direction}" : null);
    }

    /// <summary>What a cursor is bound to: the filters and the sort, not the page size.</summary>
    public string Scope => System.Text.Json.JsonSerializer.Serialize(new object?[]
    {
        "sessions", Time(From), Time(To), Status, MinCost, MaxCost, Tags, Model, UserId, OrderBy, Descending,
    });

    private static string? Time(DateTimeOffset? time) => time is { } t ? UtcTimestampConverter.ToText(t) : null;
}
