using System.Text.Json.Serialization;

namespace Traceway.Storage;

/// <summary>A page of results; <c>nextCursor</c> is always present, null on the last page.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);
