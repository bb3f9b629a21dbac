using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Trial.Tests.Db.SqlServerSchema;

/// <summary>
/// Check (a): every table and column a query names exists in the SQL Server schema. The query's ScriptDom tree is walked
/// statement by statement; tables come from FROM, JOIN, APPLY, derived tables, VALUES lists and common table expressions,
/// under their aliases; a column is looked up in its own query and then in the queries around it (correlated subqueries);
/// ORDER BY may also name an output column. What the walk does not understand (another kind of statement or table
/// source) is reported as a finding, never skipped: a check that silently passes what it cannot read proves nothing.
/// </summary>
public static class QueryColumnCheck
{
    /// <summary>What is wrong with <paramref name="sql"/> against <paramref name="schema"/>; empty when every name resolves.</summary>
    public static IReadOnlyList<string> Check(SchemaModel schema, string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var tree = (TSqlScript)parser.Parse(new StringReader(sql), out var errors);
        if (errors.Count > 0) return errors.Select(e => $"does not parse: line {e.Line}: {e.Message}").ToList();
        var resolver = new Resolver(schema);
        foreach (var statement in tree.Batches.SelectMany(b => b.Statements)) resolver.Statement(statement, Scope.Root);
        return resolver.Findings;
    }

    /// <summary>The names of the columns a query returns (for views and derived tables).</summary>
    public static IReadOnlyList<string> OutputNames(SchemaModel schema, QueryExpression query) => new Resolver(schema).Query(query, Scope.Root);

    /// <summary>A table source in a query: the name it goes by there, its columns (null when its table is missing: already reported).</summary>
    private sealed record Source(string Alias, IReadOnlyList<string>? Columns, string What)
    {
        public bool Has(string column) => Columns is null || Columns.Contains(column, StringComparer.OrdinalIgnoreCase);
    }

    private sealed class Scope
    {
        public static Scope Root => new(null);

        public Scope(Scope? parent)
        {
            Parent = parent;
            Ctes = parent is null ? new(StringComparer.OrdinalIgnoreCase) : new(parent.Ctes, StringComparer.OrdinalIgnoreCase);
        }

        public Scope? Parent { get; }
        public List<Source> Sources { get; } = [];
        public Dictionary<string, IReadOnlyList<string>> Ctes { get; }

        /// <summary>The query's output columns, which ORDER BY may name.</summary>
        public IReadOnlyList<string> OutputNames { get; set; } = [];

        public IEnumerable<Scope> Outwards()
        {
            for (var s = this; s is not null; s = s.Parent) yield return s;
        }
    }

    // The first argument of these is a date part (day, minute, …), which ScriptDom reads as a column name.
    private static readonly HashSet<string> DatePartFunctions =
        new(["DATEADD", "DATEDIFF", "DATEDIFF_BIG", "DATEPART", "DATENAME", "DATETRUNC", "DATE_BUCKET"], StringComparer.OrdinalIgnoreCase);

    private sealed class Resolver(SchemaModel schema)
    {
        public List<string> Findings { get; } = [];

        public void Statement(TSqlStatement statement, Scope outer)
        {
            switch (statement)
            {
                case SelectStatement select:
                    Query(select.QueryExpression, WithCtes(select.WithCtesAndXmlNamespaces, outer));
                    break;
                case InsertStatement insert:
                    Insert(insert.InsertSpecification, WithCtes(insert.WithCtesAndXmlNamespaces, outer));
                    break;
                case UpdateStatement update:
                    Update(update.UpdateSpecification, WithCtes(update.WithCtesAndXmlNamespaces, outer));
                    break;
                case DeleteStatement delete:
                    Delete(delete.DeleteSpecification, WithCtes(delete.WithCtesAndXmlNamespaces, outer));
                    break;
                default:
                    Findings.Add($"a {statement.GetType().Name} is not checked: teach QueryColumnCheck to read it");
                    break;
            }
        }

        private Scope WithCtes(WithCtesAndXmlNamespaces? with, Scope outer)
        {
            if (with is null) return outer;
            var scope = new Scope(outer);
            foreach (var cte in with.CommonTableExpressions)
            {
                var name = cte.ExpressionName.Value;
                var declared = cte.Columns.Select(c => c.Value).ToList();
                // A recursive expression names itself: its columns are those of its anchor, the part before UNION ALL.
                if (cte.QueryExpression is BinaryQueryExpression recursive)
                    scope.Ctes[name] = declared.Count > 0 ? declared : Query(recursive.FirstQueryExpression, scope);
                var names = Query(cte.QueryExpression, scope);
                scope.Ctes[name] = declared.Count > 0 ? declared : names;
            }
            return scope;
        }

        public IReadOnlyList<string> Query(QueryExpression query, Scope outer)
        {
            switch (query)
            {
                case QuerySpecification spec:
                    return Specification(spec, outer);
                case BinaryQueryExpression binary:
                    var names = Query(binary.FirstQueryExpression, outer);
                    Query(binary.SecondQueryExpression, outer);
                    if (binary.OrderByClause is not null)
                        Expression(binary.OrderByClause, new Scope(outer) { OutputNames = names });
                    return names;
                case QueryParenthesisExpression parenthesis:
                    return Query(parenthesis.QueryExpression, outer);
                default:
                    Findings.Add($"a {query.GetType().Name} is not checked: teach QueryColumnCheck to read it");
                    return [];
            }
        }

        private IReadOnlyList<string> Specification(QuerySpecification spec, Scope outer)
        {
            var scope = new Scope(outer);
            if (spec.FromClause is not null)
            {
                foreach (var reference in spec.FromClause.TableReferences) scope.Sources.AddRange(Table(reference, outer));
            }
            if (spec.TopRowFilter is not null) Expression(spec.TopRowFilter.Expression, scope);
            var names = new List<string>();
            foreach (var element in spec.SelectElements)
            {
                switch (element)
                {
                    case SelectScalarExpression scalar:
                        Expression(scalar.Expression, scope);
                        names.Add(scalar.ColumnName?.Value ?? (scalar.Expression is ColumnReferenceExpression c ? c.MultiPartIdentifier.Identifiers[^1].Value : ""));
                        break;
                    case SelectStarExpression star:
                        names.AddRange(Star(star, scope));
                        break;
                    default:
                        Findings.Add($"a {element.GetType().Name} in a select list is not checked");
                        break;
                }
            }
            if (spec.WhereClause is not null) Expression(spec.WhereClause, scope);
            if (spec.GroupByClause is not null) Expression(spec.GroupByClause, scope);
            if (spec.HavingClause is not null) Expression(spec.HavingClause, scope);
            scope.OutputNames = names;
            if (spec.OrderByClause is not null) Expression(spec.OrderByClause, scope);
            return names;
        }

        private IEnumerable<string> Star(SelectStarExpression star, Scope scope)
        {
            var sources = scope.Sources;
            if (star.Qualifier is { } qualifier)
            {
                var alias = qualifier.Identifiers[^1].Value;
                sources = sources.Where(s => s.Alias.Equals(alias, StringComparison.OrdinalIgnoreCase)).ToList();
                if (sources.Count == 0) Findings.Add($"{alias}.*: no table or alias {alias} in the query");
            }
            return sources.SelectMany(s => s.Columns ?? []);
        }

        /// <summary>The sources a table reference brings; join conditions are checked against the sources of their own join.</summary>
        private List<Source> Table(TableReference reference, Scope outer)
        {
            switch (reference)
            {
                case NamedTableReference named:
                    {
                        var name = named.SchemaObject.BaseIdentifier.Value;
                        var alias = named.Alias?.Value ?? name;
                        if (outer.Ctes.TryGetValue(name, out var cteColumns)) return [new Source(alias, cteColumns, $"common table expression {name}")];
                        var columns = schema.ColumnNames(name);
                        if (columns is null) Findings.Add($"table {name} does not exist");
                        return [new Source(alias, columns, $"table {name}")];
                    }
                case QualifiedJoin join:
                    {
                        var both = Table(join.FirstTableReference, outer).Concat(Table(join.SecondTableReference, outer)).ToList();
                        var on = new Scope(outer);
                        on.Sources.AddRange(both);
                        Expression(join.SearchCondition, on);
                        return both;
                    }
                case UnqualifiedJoin join:
                    {
                        var first = Table(join.FirstTableReference, outer);
                        // CROSS APPLY and OUTER APPLY see the tables before them; CROSS JOIN does not need to.
                        var beside = new Scope(outer);
                        beside.Sources.AddRange(first);
                        return first.Concat(Table(join.SecondTableReference, beside)).ToList();
                    }
                case JoinParenthesisTableReference parenthesis:
                    return Table(parenthesis.Join, outer);
                case QueryDerivedTable derived:
                    {
                        var names = Query(derived.QueryExpression, outer);
                        var declared = derived.Columns.Select(c => c.Value).ToList();
                        return [new Source(derived.Alias.Value, declared.Count > 0 ? declared : names, $"derived table {derived.Alias.Value}")];
                    }
                case InlineDerivedTable values:
                    foreach (var row in values.RowValues) Expression(row, outer);
                    return [new Source(values.Alias.Value, values.Columns.Select(c => c.Value).ToList(), $"VALUES list {values.Alias.Value}")];
                default:
                    Findings.Add($"a {reference.GetType().Name} is not checked: teach QueryColumnCheck to read it");
                    return [];
            }
        }

        private void Insert(InsertSpecification insert, Scope outer)
        {
            if (insert.Target is not NamedTableReference target)
            {
                Findings.Add($"an INSERT into a {insert.Target.GetType().Name} is not checked");
                return;
            }
            var table = target.SchemaObject.BaseIdentifier.Value;
            var columns = schema.ColumnNames(table);
            if (columns is null) Findings.Add($"table {table} does not exist");
            foreach (var column in insert.Columns.Select(c => c.MultiPartIdentifier.Identifiers[^1].Value))
            {
                if (columns is not null && !columns.Contains(column, StringComparer.OrdinalIgnoreCase))
                    Findings.Add($"INSERT INTO {table}: table {table} has no column {column}");
            }
            switch (insert.InsertSource)
            {
                case ValuesInsertSource values:
                    foreach (var row in values.RowValues) Expression(row, outer);
                    break;
                case SelectInsertSource select:
                    Query(select.Select, outer);
                    break;
                default:
                    Findings.Add($"an INSERT from a {insert.InsertSource.GetType().Name} is not checked");
                    break;
            }
        }

        private void Update(UpdateSpecification update, Scope outer)
        {
            var (scope, target) = Target(update.Target, update.FromClause, outer, "UPDATE");
            foreach (var set in update.SetClauses)
            {
                if (set is not AssignmentSetClause assignment)
                {
                    Findings.Add($"a {set.GetType().Name} in UPDATE is not checked");
                    continue;
                }
                if (assignment.Column?.MultiPartIdentifier.Identifiers[^1].Value is { } column && target is not null && !target.Has(column))
                    Findings.Add($"UPDATE: {target.What} has no column {column}");
                Expression(assignment.NewValue, scope);
            }
            if (update.WhereClause is not null) Expression(update.WhereClause, scope);
        }

        private void Delete(DeleteSpecification delete, Scope outer)
        {
            var (scope, _) = Target(delete.Target, delete.FromClause, outer, "DELETE");
            if (delete.WhereClause is not null) Expression(delete.WhereClause, scope);
        }

        /// <summary>The scope of an UPDATE or DELETE: its FROM clause, and its target (an alias of the FROM clause, or a table).</summary>
        private (Scope Scope, Source? Target) Target(TableReference reference, FromClause? from, Scope outer, string what)
        {
            var scope = new Scope(outer);
            if (from is not null)
            {
                foreach (var r in from.TableReferences) scope.Sources.AddRange(Table(r, outer));
            }
            if (reference is not NamedTableReference named)
            {
                Findings.Add($"a {what} of a {reference.GetType().Name} is not checked");
                return (scope, null);
            }
            var name = named.SchemaObject.BaseIdentifier.Value;
            var target = scope.Sources.FirstOrDefault(s => named.Alias is null && s.Alias.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (target is null)
            {
                target = Table(named, outer)[0];
                scope.Sources.Add(target);
            }
            return (scope, target);
        }

        private void Expression(TSqlFragment fragment, Scope scope) => fragment.Accept(new ExpressionWalker(this, scope));

        public void Column(ColumnReferenceExpression reference, Scope scope)
        {
            if (reference.ColumnType != ColumnType.Regular || reference.MultiPartIdentifier is null) return;
            var parts = reference.MultiPartIdentifier.Identifiers.Select(i => i.Value).ToList();
            var name = parts[^1];
            if (parts.Count == 1)
            {
                foreach (var level in scope.Outwards())
                {
                    var matches = level.Sources.Where(s => s.Has(name)).ToList();
                    if (matches.Count > 1 && matches.Count(m => m.Columns is not null) > 1)
                        Findings.Add($"column {name} is ambiguous: it is in {string.Join(" and ", matches.Select(m => m.What))}");
                    if (matches.Count > 0) return;
                    if (level.OutputNames.Contains(name, StringComparer.OrdinalIgnoreCase)) return;
                }
                Findings.Add($"column {name} is in none of {Describe(scope)}");
                return;
            }
            var qualifier = parts[^2];
            var source = scope.Outwards().SelectMany(l => l.Sources).FirstOrDefault(s => s.Alias.Equals(qualifier, StringComparison.OrdinalIgnoreCase));
            if (source is null) Findings.Add($"{qualifier}.{name}: no table or alias {qualifier} in the query");
            else if (!source.Has(name)) Findings.Add($"{qualifier}.{name}: {source.What} has no column {name}");
        }

        private static string Describe(Scope scope)
        {
            var sources = scope.Outwards().SelectMany(l => l.Sources).Select(s => s.What).ToList();
            return sources.Count == 0 ? "the query's tables (it has none)" : string.Join(", ", sources);
        }
    }

    /// <summary>Looks up every column an expression names; a subquery inside it is resolved as a query of its own, seeing this one.</summary>
    private sealed class ExpressionWalker(Resolver resolver, Scope scope) : TSqlFragmentVisitor
    {
        public override void ExplicitVisit(ScalarSubquery node) => resolver.Query(node.QueryExpression, scope);

        public override void ExplicitVisit(ColumnReferenceExpression node) => resolver.Column(node, scope);

        public override void ExplicitVisit(FunctionCall node)
        {
            var skip = DatePartFunctions.Contains(node.FunctionName.Value) ? 1 : 0;
            foreach (var parameter in node.Parameters.Skip(skip)) parameter.Accept(this);
            node.OverClause?.Accept(this);
            node.WithinGroupClause?.Accept(this);
        }
    }
}
