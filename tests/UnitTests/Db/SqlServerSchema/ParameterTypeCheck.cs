using System.Reflection;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>The values a decimal column is given: at most <paramref name="IntegerDigits"/> digits before the point and <paramref name="Decimals"/> after.</summary>
public sealed record DecimalDomain(int IntegerDigits, int Decimals);

/// <summary>An INSERT whose parameters are the properties of a row class: the table, the row class, and which property fills which column.</summary>
public sealed record RowInsert(string Query, string Table, Type Row, IReadOnlyList<(string Column, string Property)> Pairs);

/// <summary>
/// Check (d): every parameter's .NET type maps to its column's SQL Server type without losing anything: Guid to
/// UNIQUEIDENTIFIER, bool to BIT, int to INT (long needs BIGINT), DateTime to DATETIME2(7) (its ticks are a ten-millionth
/// of a second; DATETIME rounds to 1/300 s), DateOnly to DATE, string to NVARCHAR (VARCHAR only where the text is
/// ASCII by construction), decimal to a DECIMAL(p, s) holding every value the domain allows (SQL Server rounds extra
/// decimals away without an error, and refuses extra integer digits); a nullable property needs a nullable column.
/// </summary>
public static class ParameterTypeCheck
{
    /// <summary>What is lost writing <paramref name="insert"/>'s row properties to their columns; empty when nothing is.</summary>
    public static IReadOnlyList<string> Check(SchemaModel schema, RowInsert insert, IReadOnlyDictionary<string, DecimalDomain> decimals, IReadOnlySet<string> asciiColumns)
    {
        var findings = new List<string>();
        var nullability = new NullabilityInfoContext();
        foreach (var (columnName, propertyName) in insert.Pairs)
        {
            var column = schema.Find(insert.Table, columnName);
            var property = insert.Row.GetProperty(propertyName);
            var where = $"{insert.Row.Name}.{propertyName} → {insert.Table}.{columnName}";
            if (column is null || property is null)
            {
                findings.Add($"{where}: {(column is null ? "no such column" : "no such property")}");
                continue;
            }
            var underlying = Nullable.GetUnderlyingType(property.PropertyType);
            var nullable = underlying is not null || nullability.Create(property).ReadState == NullabilityState.Nullable;
            if (nullable && !column.Nullable) findings.Add($"{where}: the property may be null but {column.Declared} is NOT NULL");
            var problem = Problem(underlying ?? property.PropertyType, column, decimals.GetValueOrDefault($"{column.Table}.{column.Name}"), asciiColumns);
            if (problem is not null) findings.Add($"{where}: {problem}");
        }
        return findings;
    }

    /// <summary>Why a value of <paramref name="type"/> does not fit <paramref name="column"/> unchanged, or null when it does.</summary>
    public static string? Problem(Type type, SqlColumn column, DecimalDomain? domain, IReadOnlySet<string> asciiColumns)
    {
        var sql = column.Type;
        if (type == typeof(Guid)) return sql == "UNIQUEIDENTIFIER" ? null : $"a Guid needs UNIQUEIDENTIFIER, not {column.Declared}";
        if (type == typeof(bool)) return sql == "BIT" ? null : $"a bool needs BIT, not {column.Declared}";
        if (type == typeof(int)) return sql is "INT" or "BIGINT" ? null : $"an int needs INT, not {column.Declared}";
        if (type == typeof(long)) return sql == "BIGINT" ? null : $"a long needs BIGINT, not {column.Declared}";
        if (type == typeof(double)) return sql == "FLOAT" ? null : $"a double needs FLOAT, not {column.Declared}";
        if (type == typeof(DateOnly)) return sql == "DATE" ? null : $"a DateOnly needs DATE, not {column.Declared}";
        if (type == typeof(DateTime))
        {
            return sql == "DATETIME2" && column.Scale == 7 ? null
                : $"a DateTime has 7 decimal places of a second (ticks); {column.Declared} {(sql is "DATETIME" or "SMALLDATETIME" ? "rounds them" : "drops some")}";
        }
        if (type == typeof(string))
        {
            if (sql is "NVARCHAR" or "NCHAR") return null;
            if (sql is "VARCHAR" or "CHAR")
            {
                return asciiColumns.Contains($"{column.Table}.{column.Name}") ? null
                    : $"a string may hold any Unicode character; {column.Declared} keeps only its code page's";
            }
            return $"a string needs NVARCHAR, not {column.Declared}";
        }
        if (type == typeof(decimal))
        {
            if (sql is not ("DECIMAL" or "NUMERIC")) return $"a decimal needs DECIMAL, not {column.Declared}";
            if (domain is null) return $"no domain is stated for {column.Declared}: say how many digits before and after the point its values have";
            var integerDigits = column.Precision!.Value - column.Scale!.Value;
            if (domain.Decimals > column.Scale)
                return $"values with {domain.Decimals} decimals are rounded to {column.Scale} by {column.Declared}";
            if (domain.IntegerDigits > integerDigits)
                return $"values with {domain.IntegerDigits} digits before the point overflow {column.Declared}, which holds {integerDigits}";
            return null;
        }
        return $"no SQL Server mapping is known for {type.Name}";
    }

    /// <summary>
    /// The INSERTs of <paramref name="queries"/> whose values are parameters named after properties (a row class passed
    /// whole), each with its row class: a class of the query class's namespace named …Row that has every one of those
    /// properties (the one named after the table when several do). An INSERT for which none or several are found is a finding.
    /// </summary>
    public static (IReadOnlyList<RowInsert> Inserts, IReadOnlyList<string> Findings) RowInserts(IEnumerable<(Type QueryClass, string Field, string Sql)> queries)
    {
        var inserts = new List<RowInsert>();
        var findings = new List<string>();
        foreach (var (queryClass, field, sql) in queries)
        {
            var tree = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out _);
            foreach (var insert in Inserts(tree))
            {
                if (insert.Target is not NamedTableReference target || insert.InsertSource is not ValuesInsertSource values || values.RowValues.Count != 1) continue;
                var table = target.SchemaObject.BaseIdentifier.Value;
                var pairs = insert.Columns.Zip(values.RowValues[0].ColumnValues)
                    .Where(p => p.Second is VariableReference v && char.IsUpper(v.Name[1]))
                    .Select(p => (Column: p.First.MultiPartIdentifier.Identifiers[^1].Value, Property: ((VariableReference)p.Second).Name[1..]))
                    .ToList();
                if (pairs.Count == 0) continue; // parameters of an anonymous object, named in camelCase: no row class to read
                var candidates = queryClass.Assembly.GetTypes()
                    .Where(t => t.Namespace == queryClass.Namespace && t.Name.EndsWith("Row", StringComparison.Ordinal)
                                && pairs.All(p => t.GetProperty(p.Property) is not null))
                    .ToList();
                if (candidates.Count > 1) candidates = candidates.Where(t => t.Name == table + "Row").ToList();
                if (candidates.Count == 1) inserts.Add(new RowInsert($"{queryClass.Name}.{field}", table, candidates[0], pairs));
                else findings.Add($"{queryClass.Name}.{field}: INSERT INTO {table} takes {(candidates.Count == 0 ? "no" : "more than one")} row class of {queryClass.Namespace}");
            }
        }
        return (inserts, findings);
    }

    private static IEnumerable<InsertSpecification> Inserts(TSqlFragment tree)
    {
        var finder = new InsertFinder();
        tree.Accept(finder);
        return finder.Found;
    }

    private sealed class InsertFinder : TSqlFragmentVisitor
    {
        public List<InsertSpecification> Found { get; } = [];
        public override void Visit(InsertSpecification node) => Found.Add(node);
    }
}
