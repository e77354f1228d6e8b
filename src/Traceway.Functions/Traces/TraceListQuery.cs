using System.ComponentModel;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Traces;

/// <summary>The parameters of <c>GET /api/traces</c>: filters over the trace summaries, the sort and the page.</summary>
internal sealed record TraceListQuery : IQueryParameters<TraceListQuery>
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private static readonly Dictionary<string, string> SortFields = new(StringComparer.Ordinal)
    {
        ["startedAt"] = "startedAt",
        ["cost"] = "totalCost",
        ["tokens"] = "totalTokens",
        ["duration"] = "durationMs",
    };

    private static readonly string[] SortNames = [.. SortFields.Keys];

    [Description("Traces of this session only.")]
    public string? SessionId { get; init; }

    [Description("Traces with activity at or after this RFC 3339 time.")]
    public DateTimeOffset? From { get; init; }

    [Description("Traces that started before this RFC 3339 time.")]
    public DateTimeOffset? To { get; init; }

    [Description("ok or error.")]
    public string? Status { get; init; }

    [Description("The trace has every given tag (repeat the parameter).")]
    public IReadOnlyList<string> Tag { get; init; } = [];

    [Description("Some span of the trace used this model.")]
    public string? Model { get; init; }

    [Description("The trace's user id.")]
    public string? UserId { get; init; }

    [Description("The trace's name.")]
    public string? Name { get; init; }

    [Description("startedAt (default), cost, tokens, duration.")]
    [DefaultValue("startedAt")]
    public string OrderBy { get; init; } = "startedAt";

    [Description("desc (default) or asc.")]
    [DefaultValue("desc")]
    public string Order { get; init; } = "desc";

    [Description("Traces per page: 1-200, default 50.")]
    [DefaultValue(DefaultLimit)]
    public int Limit { get; init; } = DefaultLimit;

    [Description("nextCursor of the previous page.")]
    public string? Cursor { get; init; }

    /// <summary>What a cursor is bound to: the filters and the sort, not the page size.</summary>
    public string Scope => System.Text.Json.JsonSerializer.Serialize(new object?[]
    {
        "traces", SessionId, Time(From), Time(To), Status, Tag, Model, UserId, Name, OrderBy, Order == "desc",
    });

    public static TraceListQuery Read(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var sessionId = QueryValues.Text(query, "sessionId", errors);
        var (from, to) = QueryValues.Window(query, errors);
        return new TraceListQuery
        {
            SessionId = sessionId,
            From = from,
            To = to,
            Status = QueryValues.OneOf(query, "status", ["ok", "error"], errors),
            Tag = QueryValues.Texts(query, "tag", errors),
            Model = QueryValues.Text(query, "model", errors),
            UserId = QueryValues.Text(query, "userId", errors),
            Name = QueryValues.Text(query, "name", errors),
            OrderBy = QueryValues.OneOf(query, "orderBy", SortNames, errors) ?? "startedAt",
            Order = QueryValues.Order(query, errors),
            Limit = QueryValues.Limit(query, DefaultLimit, MaxLimit, errors),
            Cursor = query["cursor"],
        };
    }

    /// <summary>Within one session the query stays in that session's partition.</summary>
    public string? PartitionKey(string projectId) => SessionId is null ? null : DocumentKeys.SessionPartitionKey(projectId, SessionId);

    public QueryDefinition ToQuery(string projectId) =>
        new QueryBuilder($"SELECT * FROM c WHERE c.type = '{TraceSummaryView.DocumentType}'")
            .Equal("projectId", projectId)
            .Equal("sessionId", SessionId)
            .ActiveWithin(From, To)
            .Equal("status", Status)
            .Holds("models", "model", Model)
            .Equal("userId", UserId)
            .Equal("name", Name)
            .Tagged(Tag)
            .Build(SortFields[OrderBy], Order == "desc", "traceId");

    private static string? Time(DateTimeOffset? time) => time is { } t ? UtcTimestampConverter.ToText(t) : null;
}
