using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Hosting;

public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Traceway:Cosmos:AccountEndpoint", "", "Traceway:Cosmos:AccountEndpoint")]
    [InlineData("Traceway:Blob:ConnectionString", "", "Traceway:Blob:ConnectionString")]
    [InlineData("Traceway:Blob:PayloadContainer", "Not_A_Container", "Traceway:Blob:PayloadContainer")]
    public async Task A_missing_or_wrong_setting_fails_start_up_with_a_message_naming_it(string key, string value, string named)
    {
        await using var app = new TracewayApp().WithSetting(key, value).WithSetting("Traceway:ProvisionStorage", "false");

        var error = await Record.ExceptionAsync(app.InitializeAsync);

        Assert.NotNull(error);
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }
}
