using Microsoft.Extensions.Configuration;
using Traceway.Hosting;

namespace Traceway.Tests.Hosting;

public sealed class HostingsTests
{
    [Fact]
    public void Standalone_the_port_is_configurable_and_defaults_to_7071()
    {
        Assert.Equal(7071, Hostings.StandalonePort(Configuration()));
        Assert.Equal(5000, Hostings.StandalonePort(Configuration(("Traceway:Port", "5000"))));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("70000")]
    [InlineData("-1")]
    public void A_port_that_is_not_a_port_number_fails_naming_the_setting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Hostings.StandalonePort(Configuration(("Traceway:Port", value))));

        Assert.Contains("Traceway:Port", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "--functions-uri", "http://127.0.0.1:4711/", "--functions-worker-id", "w")]
    [InlineData(true, "--functions-uri=http://127.0.0.1:4711/")]
    [InlineData(false)]
    [InlineData(false, "--urls", "http://127.0.0.1:5000")]
    public void The_isolated_worker_runs_only_when_the_Functions_host_passes_its_endpoint(bool expected, params string[] args)
    {
        Assert.Equal(expected, Hostings.IsStartedByFunctionsHost(args));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void An_instance_runs_the_change_feed_processor_unless_the_setting_turns_it_off(string? setting, bool expected)
    {
        var configuration = setting is null ? Configuration() : Configuration(("Traceway:ChangeFeed:Enabled", setting));

        Assert.Equal(expected, Hostings.RunsChangeFeed(configuration));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
