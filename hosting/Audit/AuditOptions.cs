using Trial.Db.Audit;
using Trial.Db.Infrastructure;

namespace Trial.Hosting.Audit;

/// <summary>Where the anchor job writes the end of the audit chain (<c>Audit__AnchorSink</c>).</summary>
public enum AuditAnchorSinkKind
{
    /// <summary>An append-only file of JSON lines (<see cref="AuditOptions.AnchorPath"/>); the only sink verification reads back.</summary>
    File,

    /// <summary>An HTTP POST of the anchor's JSON to <see cref="AuditOptions.AnchorUrl"/>; the receiving system keeps and checks them.</summary>
    Url,

    /// <summary>A log line (event <c>AuditAnchor</c>) for a log collector or SIEM, which keeps and checks them.</summary>
    Log,
}

/// <summary>Bound from the <c>Audit</c> section (<c>Audit__ChainKey</c>, <c>Audit__AnchorSink</c>, ...), the same for the API and the worker.</summary>
public sealed class AuditOptions
{
    public const string AnchorFileName = "audit-anchors.log";

    /// <summary>
    /// The audit chain's key, base64 of at least 32 bytes (e.g. <c>openssl rand -base64 32</c>). Required with SQL Server; on
    /// the embedded default, when empty, a key is made once and kept owner-only in the data folder (<see cref="AuditKeys.FileName"/>).
    /// </summary>
    public string? ChainKey { get; set; }

    public AuditAnchorSinkKind AnchorSink { get; set; } = AuditAnchorSinkKind.File;

    /// <summary>The anchor file (file sink); empty means <see cref="AnchorFileName"/> in the data folder.</summary>
    public string? AnchorPath { get; set; }

    /// <summary>Where anchors are posted (url sink): an absolute http or https address.</summary>
    public string? AnchorUrl { get; set; }

    /// <summary>Cron of the anchor job; every five minutes by default.</summary>
    public string AnchorCron { get; set; } = "*/5 * * * *";

    /// <summary>The anchor file the file sink writes and verification reads.</summary>
    public string AnchorFile(DatabaseOptions database) =>
        string.IsNullOrWhiteSpace(AnchorPath) ? Path.Combine(database.DataFolder, AnchorFileName) : AnchorPath;

    /// <summary>
    /// The options as configured, refused (with a message naming the setting) when they cannot work: a configured key that
    /// is not base64 of 32 bytes, no key with SQL Server, a url sink without an absolute http(s) address. The API and the
    /// worker both read them at start, so neither starts with them wrong.
    /// </summary>
    public static AuditOptions From(IConfiguration configuration, DatabaseOptions database)
    {
        var options = new AuditOptions();
        configuration.GetSection("Audit").Bind(options);
        if (!string.IsNullOrWhiteSpace(options.ChainKey) && AuditKey.FromBase64(options.ChainKey) is null)
        {
            throw new InvalidOperationException(
                $"Audit:ChainKey must be base64 of at least {AuditKey.MinimumBytes} bytes (e.g. the output of 'openssl rand -base64 32').");
        }
        if (string.IsNullOrWhiteSpace(options.ChainKey) && database.Provider == DatabaseProvider.SqlServer)
        {
            throw new InvalidOperationException(
                "With SQL Server the audit trail's chain key must be configured, the same for the API and every worker: set Audit__ChainKey " +
                $"(base64 of at least {AuditKey.MinimumBytes} bytes, e.g. from 'openssl rand -base64 32'), and keep it apart from the database and its backups.");
        }
        if (options.AnchorSink == AuditAnchorSinkKind.Url
            && !(Uri.TryCreate(options.AnchorUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)))
        {
            throw new InvalidOperationException("Audit:AnchorSink is url, and Audit:AnchorUrl is not an absolute http or https address.");
        }
        return options;
    }
}
