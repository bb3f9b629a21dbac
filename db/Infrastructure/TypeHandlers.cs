using System.Data;
using System.Globalization;
using Dapper;

namespace Trial.Db.Infrastructure;

/// <summary>
/// SQLite hands back dates, instants and ids as text; SQL Server as native types.
/// These handlers let the same row classes read both.
/// </summary>
public static class TypeHandlers
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new UtcDateTimeHandler());
        // Dapper binds DateTime parameters through its own map, not the handler above (which reads them). DATETIME2 keeps
        // every tick: bound as DATETIME, SQL Server would round an instant to 1/300 s, and an audit row's stored time would
        // no longer match its hash. SQLite stores the same text either way.
        SqlMapper.AddTypeMap(typeof(DateTime), DbType.DateTime2);
        SqlMapper.AddTypeHandler(new GuidHandler());
        SqlMapper.AddTypeHandler(new DecimalHandler());
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        // Both providers bind DateOnly natively (SQLite as yyyy-MM-dd text, SQL Server as date).
        public override void SetValue(IDbDataParameter parameter, DateOnly value) => parameter.Value = value;

        public override DateOnly Parse(object value) => value switch
        {
            DateTime dt => DateOnly.FromDateTime(dt),
            DateOnly d => d,
            string s => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a date."),
        };
    }

    private sealed class UtcDateTimeHandler : SqlMapper.TypeHandler<DateTime>
    {
        public override void SetValue(IDbDataParameter parameter, DateTime value)
        {
            parameter.DbType = DbType.DateTime2;
            parameter.Value = value;
        }

        public override DateTime Parse(object value) => value switch
        {
            DateTime dt => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
            string s => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as an instant."),
        };
    }

    /// <summary>
    /// SQLite stores a DECIMAL column's 70 as an integer and 61.5 as a real, so one column can hold
    /// both types across rows; reading every value through one conversion keeps multi-row reads working.
    /// </summary>
    private sealed class DecimalHandler : SqlMapper.TypeHandler<decimal>
    {
        public override void SetValue(IDbDataParameter parameter, decimal value) => parameter.Value = value;

        public override decimal Parse(object value) => value switch
        {
            decimal d => d,
            double d => (decimal)d,
            long l => l,
            int i => i,
            string s => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        };
    }

    private sealed class GuidHandler : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter parameter, Guid value) => parameter.Value = value;

        public override Guid Parse(object value) => value switch
        {
            Guid g => g,
            string s => Guid.Parse(s),
            byte[] b => new Guid(b),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as an id."),
        };
    }
}
