using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Traceway.Projects;

/// <summary>
/// The one key check of both hostings (the standalone pipeline and every <c>[Function]</c> call it):
/// <c>Authorization: Bearer &lt;key&gt;</c> or <c>x-api-key</c>, the admin key or a project key.
/// Missing or unknown key: 401. Known key without the endpoint's scope: 403. Both as problem details.
/// </summary>
internal sealed class ApiKeyAuthenticator(ProjectStore projects, IOptions<AuthOptions> auth)
{
    public const string ProjectClaim = "project";
    public const string ScopeClaim = "scope";
    private const string AuthenticationType = "ApiKey";

    /// <summary>Sets <see cref="HttpContext.User"/> to the calling key when it carries <paramref name="scope"/>; otherwise returns the refusal to answer.</summary>
    public async Task<ProblemHttpResult?> AuthorizeAsync(HttpContext context, string scope)
    {
        var presented = PresentedKey(context.Request);
        if (presented is null || await AuthenticateAsync(presented, context.RequestAborted) is not { } user)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Missing or unknown API key",
                detail: presented is null
                    ? "Send an API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'."
                    : "The API key is not known: it may be mistyped or deleted.");
        }

        // The admin key may delete in any project too (the handler then asks which).
        if (!user.HasClaim(ScopeClaim, scope) && !(scope == Scopes.Delete && user.HasClaim(ScopeClaim, Scopes.Admin)))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "The key lacks the needed scope",
                detail: scope == Scopes.Admin
                    ? "This endpoint needs the admin key (Traceway:AdminKey); project keys cannot manage projects."
                    : scope == Scopes.Delete
                        ? "This key does not carry the 'delete' scope. Use a key created with it, or the admin key with '?projectId='."
                        : $"This key does not carry the '{scope}' scope. Create a key with that scope.");
        }

        context.User = user;
        return null;
    }

    private async Task<ClaimsPrincipal?> AuthenticateAsync(string presented, CancellationToken cancellationToken)
    {
        if (auth.Value.AdminKey is { Length: > 0 } adminKey && ApiKeys.MatchesAdmin(presented, adminKey))
        {
            return Principal([new Claim(ScopeClaim, Scopes.Admin)]);
        }

        if (ApiKeys.TryParse(presented, out var keyId, out var secret)
            && await projects.FindKeyAsync(keyId, cancellationToken) is { } key
            && ApiKeys.Matches(secret, key.SecretHash))
        {
            return Principal([new Claim(ProjectClaim, key.ProjectId), .. key.Scopes.Select(s => new Claim(ScopeClaim, s))]);
        }

        return null;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer ? bearer : null;
        }

        return request.Headers["x-api-key"].ToString() is { Length: > 0 } apiKey ? apiKey.Trim() : null;
    }

    private static ClaimsPrincipal Principal(IEnumerable<Claim> claims) => new(new ClaimsIdentity(claims, AuthenticationType));
}

/// <summary>The scope an endpoint needs, as endpoint metadata the standalone pipeline reads.</summary>
internal sealed record RequiredScope(string Scope);

internal static class ScopeRequirements
{
    /// <summary>Only keys carrying <paramref name="scope"/> reach these endpoints.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new RequiredScope(scope));

    /// <summary>Standalone: checks the key of every endpoint that declares a <see cref="RequiredScope"/>, before it runs.</summary>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>() is { } required
                && await context.RequestServices.GetRequiredService<ApiKeyAuthenticator>().AuthorizeAsync(context, required.Scope) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }

            await next(context);
        });
}

internal static class ProjectClaims
{
    /// <summary>The project of the calling key: every read and write is scoped to it, never to the request body.</summary>
    public static string ProjectId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ApiKeyAuthenticator.ProjectClaim) ?? throw new InvalidOperationException("The caller has no project.");
}
