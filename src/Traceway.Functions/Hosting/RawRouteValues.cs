using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Traceway.Hosting;

/// <summary>
/// User ids travel URL-encoded in paths and may hold <c>/</c>. Routing leaves <c>%2F</c> encoded while
/// decoding everything else, so the exact id is decoded here from the raw request target instead.
/// </summary>
internal static class RawRouteValues
{
    public static string Exact(HttpContext context, string parameter, string routed)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern: var pattern } || string.IsNullOrEmpty(rawTarget))
        {
            return routed;
        }

        var index = pattern.PathSegments.ToList().FindIndex(s => s.Parts is [RoutePatternParameterPart p] && p.Name == parameter);
        var path = rawTarget.Split('?', 2)[0];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var prefixSegments = pattern.PathSegments.Count - segments.Length;
        return index < 0 || prefixSegments != 0 || index >= segments.Length ? routed : Uri.UnescapeDataString(segments[index]);
    }
}
