using System.Text;
using Microsoft.Azure.Cosmos;

namespace Traceway.Storage;

/// <summary>Builds a parameterized Cosmos DB query from optional conditions: user values only ever travel as parameters.</summary>
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

    public QueryDefinition Build(string? orderBy = null)
    {
        var definition = new QueryDefinition(orderBy is null ? _text.ToString() : $"{_text} ORDER BY {orderBy}");
        _parameters.ForEach(p => definition.WithParameter(p.Name, p.Value));
        return definition;
    }
}
