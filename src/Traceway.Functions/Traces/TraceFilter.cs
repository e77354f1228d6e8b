using Microsoft.Azure.Cosmos;
using Microsoft.OpenApi;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Rollups;
using Traceway.Storage;

namespace Traceway.Traces;

/// <summary>The filters and sort of <c>GET /api/traces</c>, over the trace summaries.</summary>
internal sealed record TraceFilter(
    string? SessionId, DateTimeOffset? From, DateTimeOffset? To, string? Status, IReadOnlyList<string> Tags, string? Model, string? UserId, string? Name,
    string OrderBy, bool Descending, int Limit)
{
    private static readonly Dictionary<string, string> SortFields = new(StringComparer.Ordinal)
    {
        ["startedAt"] = "startedAt",
        ["cost"] = "totalCost",
        ["tokens"] = "totalTokens",
        ["duration"] = "durationMs",
    };

    /// <summary>The parameters, as the OpenAPI document describes them.</summary>
    public static readonly QueryParameter[] Parameters =
    [
        new("sessionId", "Traces of this session only."),
        new("from", "Traces with activity at or after this RFC 3339 time."),
        new("to", "Traces that started before this RFC 3339 time."),
        new("status", "ok or error."),
        new("tag", "The trace has every given tag.", Repeatable: true),
        new("model", "Some span of the trace used this model."),
        new("userId", "The trace's user id."),
        new("name", "The trace's name."),
        new("orderBy", "startedAt (default), cost, tokens, duration."),
        new("order", "desc (default) or asc."),
        new("limit", "1-200, default 50.", JsonSchemaType.Integer),
        new("cursor", "nextCursor of the previous page."),
    ];

    public static (TraceFilter? Filter, Dictionary<string, string[]> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var filter = new TraceFilter(
            QueryValues.Text(query, "sessionId", errors),
            QueryValues.Time(query, "from", errors),
            QueryValues.Time(query, "to", errors),
            QueryValues.OneOf(query, "status", ["ok", "error"], errors),
            QueryValues.Texts(query, "tag", errors),
            QueryValues.Text(query, "model", errors),
            QueryValues.Text(query, "userId", errors),
            QueryValues.Text(query, "name", errors),
            QueryValues.OneOf(query, "orderBy", [.. SortFields.Keys], errors) ?? "startedAt",
            (QueryValues.OneOf(query, "order", ["asc", "desc"], errors) ?? "desc") == "desc",
            QueryValues.Limit(query, 50, 200, errors));
        if (filter.From is not null && filter.To is not null && filter.To <= filter.From)
        {
            errors["to"] = ["to must be after from."];
        }

        return errors.Count > 0 ? (null, errors) : (filter, errors);
    }

    /// <summary>Within one session the query stays in that session's partition.</summary>
    public string? PartitionKey(string projectId) => SessionId is null ? null : DocumentKeys.SessionPartitionKey(projectId, SessionId);

    public QueryDefinition ToQuery(string projectId)
    {
        var query = new QueryBuilder($"SELECT * FROM c WHERE c.type = '{TraceSummary.DocumentType}'")
            .Where("c.projectId = @projectId", "@projectId", projectId)
            .WhereIf(SessionId is not null, "c.sessionId = @sessionId", "@sessionId", SessionId)
            .WhereIf(From is not null, "c.lastActivityAt >= @from", "@from", From is { } from ? UtcTimestampConverter.ToText(from) : null)
            .WhereIf(To is not null, "c.startedAt < @to", "@to", To is { } to ? UtcTimestampConverter.ToText(to) : null)
            .WhereIf(Status is not null, "c.status = @status", "@status", Status)
            .WhereIf(Model is not null, "ARRAY_CONTAINS(c.models, @model)", "@model", Model)
            .WhereIf(UserId is not null, "c.userId = @userId", "@userId", UserId)
            .WhereIf(Name is not null, "c.name = @name", "@name", Name);
        for (var i = 0; i < Tags.Count; i++)
        {
            query.Where($"ARRAY_CONTAINS(c.tags, @tag{i})", $"@tag{i}", Tags[i]);
        }

        var direction = Descending ? "DESC" : "ASC";
        return query.Build($"c.{SortFields[OrderBy]} {direction}, c.traceId {direction}");
    }

    public string Scope => System.Text.Json.JsonSerializer.Serialize(new object?[]
    {
        "traces", SessionId, Time(From), Time(To), Status, Tags, Model, UserId, Name, OrderBy, Descending,
    });

    private static string? Time(DateTimeOffset? time) => time is { } t ? UtcTimestampConverter.ToText(t) : null;
}

/// <summary>A trace summary as <c>GET /api/traces</c> lists it.</summary>
internal sealed record TraceSummaryView(
    string TraceId, string? SessionId, string? Name, string? UserId, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, long? DurationMs,
    int SpanCount, int ErrorCount, long InputTokens, long OutputTokens, long TotalTokens, double TotalCost, long MaxInputTokens,
    IReadOnlyList<string> Models, IReadOnlyList<string> Tags)
{
    public static TraceSummaryView From(TraceSummary t) => new(
        t.TraceId, t.SessionId, t.Name, t.UserId, t.Status, t.StartedAt, t.EndedAt, t.DurationMs, t.SpanCount, t.ErrorCount,
        t.InputTokens, t.OutputTokens, t.TotalTokens, t.TotalCost, t.MaxInputTokens, t.Models, t.Tags);
}
