using Hangfire.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using HangfireLevel = Hangfire.Logging.LogLevel;
using MsLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Trial.Hosting;

/// <summary>
/// Hangfire keeps its log provider in a static. When a host that set it is disposed while
/// another host in the same process lives on (tests, the benchmark), its logger factory is gone;
/// this provider then hands out silent loggers instead of throwing inside job enqueueing.
/// </summary>
public sealed class HangfireLogging(ILoggerFactory factory) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try
        {
            return new Adapter(factory.CreateLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new Adapter(NullLogger.Instance);
        }
    }

    private sealed class Adapter(ILogger logger) : ILog
    {
        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var level = logLevel switch
            {
                HangfireLevel.Trace => MsLevel.Trace,
                HangfireLevel.Debug => MsLevel.Debug,
                HangfireLevel.Info => MsLevel.Information,
                HangfireLevel.Warn => MsLevel.Warning,
                HangfireLevel.Error => MsLevel.Error,
                _ => MsLevel.Critical,
            };
            if (messageFunc is null) return logger.IsEnabled(level);
#pragma warning disable CA2254 // Hangfire builds the message itself
            logger.Log(level, exception, messageFunc());
#pragma warning restore CA2254
            return true;
        }
    }
}
