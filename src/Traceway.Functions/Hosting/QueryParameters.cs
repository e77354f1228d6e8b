using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Traceway.Hosting;

/// <summary>
/// The query-string parameters of one endpoint as one type. Its public properties carrying a
/// <see cref="System.ComponentModel.DescriptionAttribute"/> are the parameters (camelCase names), and the
/// OpenAPI document describes them from there (<see cref="OpenApiDocumentation"/>).
/// </summary>
internal interface IQueryParameters<TSelf>
    where TSelf : class, IQueryParameters<TSelf>
{
    /// <summary>Reads the parameters, recording in <paramref name="errors"/> a message naming each bad one.</summary>
    static abstract TSelf Read(IQueryCollection query, Dictionary<string, string[]> errors);
}

/// <summary>
/// An endpoint's query parameters as read from the request: the values, or the 400 naming each bad one.
/// Minimal APIs bind it with <see cref="BindAsync"/>; the Functions hosting, which has no minimal-API
/// binding, calls <see cref="Read"/> on the trigger's request: one parse and validation path for both.
/// Not <c>[AsParameters]</c>: the framework would answer a value it cannot convert with its own 400,
/// without the <c>errors</c> that name the parameter.
/// </summary>
internal sealed class Query<T>
    where T : class, IQueryParameters<T>
{
    private readonly T? _value;
    private readonly ValidationProblem? _problem;

    private Query(T? value, ValidationProblem? problem) => (_value, _problem) = (value, problem);

    public static Query<T> Read(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var value = T.Read(query, errors);
        return errors.Count == 0 ? new(value, null) : new(null, TypedResults.ValidationProblem(errors, title: "Invalid query parameters"));
    }

    public static ValueTask<Query<T>?> BindAsync(HttpContext context) => ValueTask.FromResult<Query<T>?>(Read(context.Request.Query));

    public bool IsValid([NotNullWhen(true)] out T? value, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        (value, problem) = (_value, _problem);
        return problem is null;
    }
}
