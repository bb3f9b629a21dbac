using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// A column as SQL Server would hold it after the migrations: its type name (upper case, e.g. NVARCHAR, DECIMAL,
/// DATETIME2), the length of a string type (<see cref="Max"/> for MAX), the precision and scale of DECIMAL and of
/// DATETIME2 (whose scale is its fractional-second digits), and whether it takes NULL.
/// </summary>
public sealed record SqlColumn(string Table, string Name, string Type, int? Length, int? Precision, int? Scale, bool Nullable)
{
    /// <summary>The length ScriptDom's MAX stands for: unbounded (up to 2 GB).</summary>
    public const int Max = int.MaxValue;

    public bool IsString => Type is "NVARCHAR" or "VARCHAR" or "NCHAR" or "CHAR";
    public bool IsFixedLength => Type is "NCHAR" or "CHAR";
    public bool IsUnbounded => IsString && Length == Max;

    public override string ToString() => $"{Table}.{Name} {Declared}{(Nullable ? " NULL" : " NOT NULL")}";

    /// <summary>The type as a script would declare it.</summary>
    public string Declared => Type switch
    {
        _ when IsString => $"{Type}({(Length == Max ? "MAX" : Length)})",
        "DECIMAL" or "NUMERIC" => $"{Type}({Precision}, {Scale})",
        "DATETIME2" or "TIME" or "DATETIMEOFFSET" => $"{Type}({Scale})",
        _ => Type,
    };
}

/// <summary>
/// The SQL Server schema the T-SQL migrations build, read from their ScriptDom trees in the order they are applied:
/// CREATE TABLE, ALTER TABLE ADD / ALTER COLUMN / DROP COLUMN, DROP TABLE and CREATE VIEW. A statement that changes
/// tables in a way this model does not follow (e.g. renaming a column with sp_rename) makes it throw instead of going
/// stale without anyone noticing.
/// </summary>
public sealed class SchemaModel
{
    private readonly Dictionary<string, Dictionary<string, SqlColumn>> _tables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Views: their output columns by name. Their types are not followed; a query may read them by name.</summary>
    private readonly Dictionary<string, IReadOnlyList<string>> _views = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<string> Tables => _tables.Keys;

    public IEnumerable<SqlColumn> Columns => _tables.Values.SelectMany(t => t.Values);

    public bool HasTable(string table) => _tables.ContainsKey(table) || _views.ContainsKey(table);

    /// <summary>The column names of a table or view, or null when neither exists.</summary>
    public IReadOnlyList<string>? ColumnNames(string table) =>
        _tables.TryGetValue(table, out var t) ? t.Keys.ToList() : _views.GetValueOrDefault(table);

    public SqlColumn? Find(string table, string column) =>
        _tables.TryGetValue(table, out var t) && t.TryGetValue(column, out var c) ? c : null;

    /// <summary>The column, or an exception naming what is missing (for checks that name their columns).</summary>
    public SqlColumn Column(string table, string column) =>
        Find(table, column) ?? throw new KeyNotFoundException($"The SQL Server schema has no column {table}.{column}.");

    /// <summary>The schema after every one of <paramref name="scripts"/>, applied in the order given.</summary>
    public static SchemaModel FromScripts(IEnumerable<string> scripts)
    {
        var model = new SchemaModel();
        foreach (var sql in scripts)
        {
            var parser = new TSql160Parser(initialQuotedIdentifiers: true);
            var tree = parser.Parse(new StringReader(sql), out var errors);
            if (errors.Count > 0)
                throw new InvalidOperationException($"A migration does not parse as T-SQL: line {errors[0].Line}: {errors[0].Message}");
            tree.Accept(new Builder(model));
        }
        return model;
    }

    private void Add(string table, ColumnDefinition definition)
    {
        if (!_tables.TryGetValue(table, out var columns))
            throw new InvalidOperationException($"A migration adds column {definition.ColumnIdentifier.Value} to {table}, which does not exist.");
        var column = Read(table, definition.ColumnIdentifier.Value, definition.DataType, Nullable(definition));
        columns[column.Name] = column;
    }

    // SQL Server's default, ANSI_NULL_DFLT_ON: a column that says neither NULL nor NOT NULL takes NULL (a PRIMARY KEY makes it NOT NULL).
    private static bool Nullable(ColumnDefinition definition)
    {
        var stated = definition.Constraints.OfType<NullableConstraintDefinition>().FirstOrDefault();
        if (stated is not null) return stated.Nullable;
        return !definition.Constraints.OfType<UniqueConstraintDefinition>().Any(u => u.IsPrimaryKey);
    }

    /// <summary>A column of <paramref name="type"/>, with SQL Server's defaults where the script leaves length, precision or scale out.</summary>
    public static SqlColumn Read(string table, string name, DataTypeReference? type, bool nullable)
    {
        if (type is not SqlDataTypeReference sql)
            throw new NotSupportedException($"{table}.{name}: only SQL Server's built-in types are modelled (found {type?.GetType().Name ?? "a computed column"}).");
        var typeName = sql.SqlDataTypeOption.ToString().ToUpperInvariant();
        var parameters = sql.Parameters.Select(p => p is MaxLiteral ? SqlColumn.Max : int.Parse(p.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        int? First(int fallback) => parameters.Count > 0 ? parameters[0] : fallback;
        return typeName switch
        {
            // Without a length, a string type holds one character (in a declaration, which is all migrations have).
            "NVARCHAR" or "VARCHAR" or "NCHAR" or "CHAR" => new SqlColumn(table, name, typeName, First(1), null, null, nullable),
            "DECIMAL" or "NUMERIC" => new SqlColumn(table, name, typeName, null, First(18), parameters.Count > 1 ? parameters[1] : 0, nullable),
            "DATETIME2" or "TIME" or "DATETIMEOFFSET" => new SqlColumn(table, name, typeName, null, null, First(7), nullable),
            _ => new SqlColumn(table, name, typeName, null, null, null, nullable),
        };
    }

    private sealed class Builder(SchemaModel model) : TSqlFragmentVisitor
    {
        public override void Visit(CreateTableStatement node)
        {
            var table = node.SchemaObjectName.BaseIdentifier.Value;
            if (model._tables.ContainsKey(table)) throw new InvalidOperationException($"A migration creates table {table} a second time.");
            model._tables[table] = new Dictionary<string, SqlColumn>(StringComparer.OrdinalIgnoreCase);
            foreach (var column in node.Definition.ColumnDefinitions) model.Add(table, column);
        }

        public override void Visit(AlterTableAddTableElementStatement node)
        {
            foreach (var column in node.Definition.ColumnDefinitions) model.Add(node.SchemaObjectName.BaseIdentifier.Value, column);
        }

        public override void Visit(AlterTableAlterColumnStatement node)
        {
            var table = node.SchemaObjectName.BaseIdentifier.Value;
            var name = node.ColumnIdentifier.Value;
            var existing = model.Find(table, name) ?? throw new InvalidOperationException($"A migration alters {table}.{name}, which does not exist.");
            if (node.DataType is null)
                throw new NotSupportedException($"ALTER COLUMN {table}.{name} without a type ({node.AlterTableAlterColumnOption}) is not modelled.");
            // ALTER COLUMN restates the type; a column that does not say NOT NULL becomes nullable (ANSI_NULL_DFLT_ON).
            var nullable = node.AlterTableAlterColumnOption != AlterTableAlterColumnOption.NotNull;
            model._tables[table][existing.Name] = Read(table, existing.Name, node.DataType, nullable);
        }

        public override void Visit(AlterTableDropTableElementStatement node)
        {
            var table = node.SchemaObjectName.BaseIdentifier.Value;
            foreach (var element in node.AlterTableDropTableElements.Where(e => e.TableElementType == TableElementType.Column))
            {
                if (!model._tables.TryGetValue(table, out var columns) || !columns.Remove(element.Name.Value))
                    throw new InvalidOperationException($"A migration drops column {table}.{element.Name.Value}, which does not exist.");
            }
        }

        public override void Visit(DropTableStatement node)
        {
            foreach (var table in node.Objects) model._tables.Remove(table.BaseIdentifier.Value);
        }

        public override void Visit(CreateViewStatement node)
        {
            var names = node.Columns.Count > 0
                ? node.Columns.Select(c => c.Value).ToList()
                : QueryColumnCheck.OutputNames(model, node.SelectStatement.QueryExpression);
            model._views[node.SchemaObjectName.BaseIdentifier.Value] = names;
        }

        // Renaming through the system procedure would leave the model naming a column that no longer exists.
        public override void Visit(ExecuteStatement node)
        {
            if (node.ExecuteSpecification.ExecutableEntity is ExecutableProcedureReference p
                && p.ProcedureReference?.ProcedureReference?.Name?.BaseIdentifier?.Value is { } name
                && name.Equals("sp_rename", StringComparison.OrdinalIgnoreCase))
            {
                throw new NotSupportedException("A migration renames with sp_rename: teach SchemaModel to follow it.");
            }
        }
    }
}
