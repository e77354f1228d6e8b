using System.Text;
using Microsoft.Azure.Cosmos;
using Traceway.Hosting;

namespace Traceway.Storage;

/// <summary>
/// Builds a parameterized Cosmos DB query from optional conditions: user values only ever travel as parameters.
/// Holds the clauses the session and trace filters share, so both filter the same way.
/// </summary>
internal sealed class QueryBuilder(string select)
{
    private readonly StringBuilder _text = new(select);
    private readonly List<(string Name, object Value)> _parameters = [];
    private bool _hasWhere = select.Contains(" WHERE ", StringComparison.Ordinal);

    public QueryBuilder Where(string condition, string parameter, object value)
    {
        _text.Append(_hasWhere ? " AND " : " WHERE ").Append(condition);
        _hasWhere = true;
        _parameters.Add((parameter, value));
        return this;
    }

    public QueryBuilder WhereIf(bool condition, string clause, string parameter, object? value) =>
        condition ? Where(clause, parameter, value!) : this;

    /// <summary><c>c.field = value</c> when a value is given.</summary>
    public QueryBuilder Equal(string field, object? value) => WhereIf(value is not null, $"c.{field} = @{field}", "@" + field, value);

    /// <summary>The array <c>c.field</c> holds the value, when one is given.</summary>
    public QueryBuilder Holds(string arrayField, string parameter, string? value) =>
        WhereIf(value is not null, $"ARRAY_CONTAINS(c.{arrayField}, @{parameter})", "@" + parameter, value);

    /// <summary>Activity [startedAt, lastActivityAt] overlapping [from, to).</summary>
    public QueryBuilder ActiveWithin(DateTimeOffset? from, DateTimeOffset? to) => this
        .WhereIf(from is not null, "c.lastActivityAt >= @from", "@from", from is { } f ? UtcTimestampConverter.ToText(f) : null)
        .WhereIf(to is not null, "c.startedAt < @to", "@to", to is { } t ? UtcTimestampConverter.ToText(t) : null);

    /// <summary>Every given tag is among <c>c.tags</c>.</summary>
    public QueryBuilder Tagged(IReadOnlyList<string> tags)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            Where($"ARRAY_CONTAINS(c.tags, @tag{i})", $"@tag{i}", tags[i]);
        }

        return this;
    }

    /// <summary>The query; sorted by <paramref name="field"/>, with <paramref name="tieBreaker"/> so pages never shuffle equal values.</summary>
    public QueryDefinition Build(string field, bool descending, string tieBreaker)
    {
        var direction = descending ? "DESC" : "ASC";
        return Build($"c.{field} {direction}, c.{tieBreaker} {direction}");
    }

    public QueryDefinition Build(string? orderBy = null)
    {
        var definition = new QueryDefinition(orderBy is null ? _text.ToString() : $"{_text} ORDER BY {orderBy}");
        _parameters.ForEach(p => definition.WithParameter(p.Name, p.Value));
        return definition;
    }
}
