using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Functions;

/// <summary>
/// Calls a <c>[Function]</c> method the way the worker does: the function class activated from the app's
/// services, an <see cref="HttpContext"/> whose request services are those services, and the returned
/// <see cref="IResult"/> executed into the response.
/// </summary>
internal sealed class FunctionCall(TracewayApp app)
{
    public T Activate<T>() => ActivatorUtilities.CreateInstance<T>(app.Services);

    public DefaultHttpContext Request(string method, string path, string? key = null, string? json = null, string? query = null)
    {
        var context = new DefaultHttpContext { RequestServices = app.Services };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        if (key is not null)
        {
            context.Request.Headers.Authorization = "Bearer " + key;
        }

        if (json is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = bytes.Length;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    public static async Task<FunctionAnswer> AnswerAsync(HttpContext context, Task<IResult> invocation)
    {
        await (await invocation).ExecuteAsync(context);
        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return new FunctionAnswer(context.Response.StatusCode, context.Response.Headers, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}

internal sealed record FunctionAnswer(int Status, IHeaderDictionary Headers, JsonElement Body)
{
    public string? Title => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("title", out var title) ? title.GetString() : null;
}
