using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Traceway.Tests.Deployment;

/// <summary>
/// Reads a compiled ARM template (main.bicep with its modules as nested templates): finds resources by
/// type and evaluates the few expression forms the compiler emits for values taken from loaded JSON.
/// </summary>
internal static partial class ArmTemplate
{
    /// <summary>Every resource of <paramref name="type"/>, at any nesting depth, with the template that declares it.</summary>
    public static IEnumerable<(JsonObject Resource, JsonObject Template)> Resources(JsonObject template, string type)
    {
        var resources = template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject symbolic => symbolic.Select(r => r.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (var resource in resources)
        {
            if (string.Equals((string?)resource["type"], type, StringComparison.OrdinalIgnoreCase))
            {
                yield return (resource, template);
            }

            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var found in Resources(nested, type))
                {
                    yield return found;
                }
            }
        }
    }

    public static (JsonObject Resource, JsonObject Template) Single(JsonObject template, string type) => Resources(template, type).Single();

    /// <summary>
    /// The value of <paramref name="node"/> in iteration <paramref name="copyIndex"/> of a copy loop: literals as they
    /// are; <c>[variables('x').a[copyIndex()].b]</c> and <c>[length(...)]</c> resolved. Anything else is refused, so a
    /// test never compares against an expression it did not understand.
    /// </summary>
    public static JsonNode? Evaluate(JsonNode? node, JsonObject template, int copyIndex = 0)
    {
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text) || !text.StartsWith('[') || text.StartsWith("[[", StringComparison.Ordinal))
        {
            return node;
        }

        return EvaluateExpression(text[1..^1], template, copyIndex);
    }

    private static JsonNode? EvaluateExpression(string expression, JsonObject template, int copyIndex)
    {
        if (LengthCall().Match(expression) is { Success: true } length)
        {
            return JsonValue.Create(EvaluateExpression(length.Groups[1].Value, template, copyIndex)!.AsArray().Count);
        }

        var reference = VariableReference().Match(expression);
        if (!reference.Success)
        {
            throw new NotSupportedException($"The test cannot evaluate the ARM expression [{expression}].");
        }

        var current = Evaluate(template["variables"]?[reference.Groups[1].Value], template, copyIndex);
        foreach (Match step in Accessor().Matches(reference.Groups[2].Value))
        {
            current = step.Groups["property"].Success ? current?[step.Groups["property"].Value]
                : step.Groups["copy"].Success ? current?[copyIndex]
                : current?[int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture)];
        }

        return current?.DeepClone();
    }

    [GeneratedRegex(@"^length\((.+)\)$")]
    private static partial Regex LengthCall();

    [GeneratedRegex(@"^variables\('([^']+)'\)((?:\.\w+|\[copyIndex\(\)\]|\[\d+\])*)$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"\.(?<property>\w+)|\[(?<copy>copyIndex\(\))\]|\[(?<index>\d+)\]")]
    private static partial Regex Accessor();
}
