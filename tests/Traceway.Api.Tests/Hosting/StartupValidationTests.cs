using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Hosting;

public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Traceway__Cosmos__AccountEndpoint", "", "Traceway:Cosmos:AccountEndpoint")]
    [InlineData("Traceway__Blob__ConnectionString", "", "Traceway:Blob:ConnectionString")]
    [InlineData("Traceway__Blob__PayloadContainer", "Not_A_Container", "Traceway:Blob:PayloadContainer")]
    [InlineData("Traceway__Ingest__MaxItems", "0", "Traceway:Ingest:MaxItems")]
    [InlineData("Traceway__KeyCacheSeconds", "300", "Traceway:KeyCacheSeconds")]
    [InlineData("Traceway__Port", "http", "Traceway:Port")]
    public async Task A_missing_or_wrong_setting_stops_start_up_with_a_message_naming_it(string variable, string value, string named)
    {
        var environment = new Dictionary<string, string>
        {
            ["Traceway__ProvisionStorage"] = "false",
            ["Traceway__Port"] = AppProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        environment[variable] = value;
        await using var app = await AppProcess.StartAsync(environment);

        var (exitCode, output) = await app.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }
}
