using System.Security.Claims;
using Traceway.Projects;

namespace Traceway.Hosting;

/// <summary>
/// What every <c>[Function]</c> does around its handler, so that the Functions hosting answers exactly as the
/// standalone pipeline does: the same key check (<see cref="ApiKeyAuthenticator"/>) and the same answer to a
/// store fault (<see cref="StoreFaultHandler"/>). Services come from the invocation's request services.
/// </summary>
internal static class HttpFunction
{
    /// <summary>Runs <paramref name="handler"/> for a caller whose key carries <paramref name="scope"/>.</summary>
    public static Task<IResult> RunAsync<TResult>(HttpRequest request, string scope, Func<ClaimsPrincipal, Task<TResult>> handler)
        where TResult : IResult =>
        GuardAsync(request.HttpContext, async context =>
            await context.RequestServices.GetRequiredService<ApiKeyAuthenticator>().AuthorizeAsync(context, scope) is { } refusal
                ? refusal
                : await handler(context.User));

    /// <summary>Runs <paramref name="handler"/> for anyone (health, the OpenAPI document).</summary>
    public static Task<IResult> RunAnonymousAsync<TResult>(HttpRequest request, Func<Task<TResult>> handler)
        where TResult : IResult =>
        GuardAsync(request.HttpContext, async _ => await handler());

    private static async Task<IResult> GuardAsync(HttpContext context, Func<HttpContext, Task<IResult>> action)
    {
        try
        {
            return await action(context);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            return context.RequestServices.GetRequiredService<StoreFaultHandler>().Answer(context, e);
        }
    }
}
