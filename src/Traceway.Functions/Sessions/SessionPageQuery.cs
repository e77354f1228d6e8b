using System.ComponentModel;
using Traceway.Hosting;

namespace Traceway.Sessions;

/// <summary>The paging of <c>GET /api/sessions/{sessionId}</c> and <c>/replay</c>: traces of the session, in start order.</summary>
internal sealed record SessionPageQuery : IQueryParameters<SessionPageQuery>
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    [Description("Traces per page: 1-500, default 100.")]
    [DefaultValue(DefaultLimit)]
    public int Limit { get; init; } = DefaultLimit;

    [Description("nextCursor of the previous page.")]
    public string? Cursor { get; init; }

    public static SessionPageQuery Read(IQueryCollection query, Dictionary<string, string[]> errors) =>
        new() { Limit = QueryValues.Limit(query, DefaultLimit, MaxLimit, errors), Cursor = query["cursor"] };

    /// <summary>What a cursor is bound to: this session's traces.</summary>
    public static string Scope(string sessionId) => "session-traces|" + sessionId;
}
