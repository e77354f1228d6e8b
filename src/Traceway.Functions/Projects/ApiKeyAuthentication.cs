using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Traceway.Projects;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>x-api-key</c> as the admin key or a project key.
/// Unknown or missing key: 401. Known key without the endpoint's scope: 403. Both as problem details.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ProjectStore projects,
    IOptions<AuthOptions> auth,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ProjectClaim = "project";
    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (auth.Value.AdminKey is { Length: > 0 } adminKey && ApiKeys.MatchesAdmin(presented, adminKey))
        {
            return Success([new Claim(ScopeClaim, Scopes.Admin)]);
        }

        if (ApiKeys.TryParse(presented, out var keyId, out var secret)
            && await projects.FindKeyAsync(keyId, Context.RequestAborted) is { } key
            && ApiKeys.Matches(secret, key.SecretHash))
        {
            return Success([new Claim(ProjectClaim, key.ProjectId), .. key.Scopes.Select(s => new Claim(ScopeClaim, s))]);
        }

        return AuthenticateResult.Fail("Unknown API key.");
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = PresentedKey(Request) is null
            ? "Send an API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'."
            : "The API key is not known: it may be mistyped or deleted.";
        await WriteProblemAsync("Missing or unknown API key", detail);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var needed = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().FirstOrDefault() ?? "another";
        var detail = needed == Scopes.Admin
            ? "This endpoint needs the admin key (Traceway:AdminKey); project keys cannot manage projects."
            : $"This key does not carry the '{needed}' scope. Create a key with that scope.";
        await WriteProblemAsync("The key lacks the needed scope", detail);
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

    private static AuthenticateResult Success(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    private ValueTask WriteProblemAsync(string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = Response.StatusCode, Title = title, Detail = detail },
        });
}

internal static class ProjectClaims
{
    /// <summary>The project of the calling key: every read and write is scoped to it, never to the request body.</summary>
    public static string ProjectId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ApiKeyAuthenticationHandler.ProjectClaim) ?? throw new InvalidOperationException("The caller has no project.");
}
