using System.Globalization;
using System.Net;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Hosting;

/// <summary>The built app, started as its own process the way the Functions host starts a custom handler.</summary>
public sealed class CustomHandlerProcessTests
{
    [Fact]
    public async Task Started_with_FUNCTIONS_CUSTOMHANDLER_PORT_the_app_answers_health_on_that_loopback_port()
    {
        var port = AppProcess.FreePort();
        await using var app = await AppProcess.StartAsync(new Dictionary<string, string> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture) });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var status = await PollAsync(client, app);

        Assert.True(status == HttpStatusCode.OK, $"health answered {status}; output: {await app.OutputAsync()}");
    }

    private static async Task<HttpStatusCode?> PollAsync(HttpClient client, AppProcess app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !app.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        return null;
    }
}
