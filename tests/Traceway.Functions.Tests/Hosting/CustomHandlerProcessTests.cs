using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Hosting;

/// <summary>The built app, started as its own process the way the Functions host starts a custom handler.</summary>
public sealed class CustomHandlerProcessTests
{
    [Fact]
    public async Task Started_with_FUNCTIONS_CUSTOMHANDLER_PORT_the_app_answers_health_on_that_loopback_port()
    {
        var emulators = await LocalEmulators.Shared;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Traceway.Functions.dll"));
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Traceway__Cosmos__AccountEndpoint"] = emulators.CosmosEndpoint.ToString();
        start.Environment["Traceway__Cosmos__Key"] = LocalEmulators.CosmosKey;
        start.Environment["Traceway__Cosmos__DatabaseName"] = "host-" + Guid.NewGuid().ToString("N");
        start.Environment["Traceway__Blob__ConnectionString"] = emulators.BlobConnectionString;
        start.Environment["Traceway__ProvisionStorage"] = "true";

        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var status = await PollAsync(client, process);

            Assert.True(status == HttpStatusCode.OK, $"health answered {status}; stderr: {(process.HasExited ? await errors : "")}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<HttpStatusCode?> PollAsync(HttpClient client, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !process.HasExited)
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
