using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Traceway.Hosting;

namespace Traceway.Tests.Hosting;

/// <summary>Reads a query string the way both hostings do, through <see cref="Query{T}"/>.</summary>
internal static class QueryStrings
{
    public static T Valid<T>(string query)
        where T : class, IQueryParameters<T>
    {
        Assert.True(Query<T>.Read(Parse(query)).IsValid(out var value, out var problem), $"{query}: {string.Join(", ", problem?.ProblemDetails.Errors.Keys ?? [])}");
        return value;
    }

    /// <summary>The 400's errors, by parameter name.</summary>
    public static IDictionary<string, string[]> Errors<T>(string query)
        where T : class, IQueryParameters<T>
    {
        Assert.False(Query<T>.Read(Parse(query)).IsValid(out _, out var problem), query);
        Assert.Equal((400, "Invalid query parameters"), (problem.StatusCode, problem.ProblemDetails.Title));
        return problem.ProblemDetails.Errors;
    }

    private static QueryCollection Parse(string query) => new(QueryHelpers.ParseQuery(query));
}
