using System.Collections;
using System.Collections.ObjectModel;
using System.Data.Common;

namespace Trial.Extracts.Writing;

/// <summary>
/// Presents a dataset's rows, as they come from the database, as a <see cref="DbDataReader"/> with
/// the dataset's columns, so the CSV writer (Sylvan) can stream them. Each row's cells are computed
/// once when the row is read; the row object itself is reused, nothing is kept.
/// </summary>
internal sealed class ExtractReader<TRow> : DbDataReader, IDbColumnSchemaGenerator
{
    private readonly IAsyncEnumerator<TRow> _rows;
    private readonly ExtractColumn<TRow>[] _columns;
    private readonly string?[] _texts;
    private readonly int?[] _integers;
    private bool _closed;

    public ExtractReader(IAsyncEnumerable<TRow> rows, IReadOnlyList<ExtractColumn<TRow>> columns, CancellationToken ct)
    {
        _rows = rows.GetAsyncEnumerator(ct);
        _columns = columns.ToArray();
        _texts = new string?[_columns.Length];
        _integers = new int?[_columns.Length];
    }

    /// <summary>Rows read so far: after the CSV writer is done, the row count of the file.</summary>
    public long RowsRead { get; private set; }

    public override async Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await _rows.MoveNextAsync()) return false;
        var row = _rows.Current;
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            if (column.Integer is { } integer) _integers[i] = integer(row);
            else _texts[i] = SpreadsheetSafety.Neutralise(column.Text!(row));
        }
        RowsRead++;
        return true;
    }

    // Rows come from an asynchronous database read; a synchronous caller would block a thread per extract.
    public override bool Read() => throw new NotSupportedException("Extract rows are read asynchronously (ReadAsync).");

    public ReadOnlyCollection<DbColumn> GetColumnSchema() =>
        _columns.Select((c, i) => (DbColumn)new ExtractDbColumn(c.Name, i, GetFieldType(i))).ToList().AsReadOnly();

    private sealed class ExtractDbColumn : DbColumn
    {
        public ExtractDbColumn(string name, int ordinal, Type type)
        {
            ColumnName = name;
            ColumnOrdinal = ordinal;
            DataType = type;
            DataTypeName = type.Name;
            AllowDBNull = true;
        }
    }

    public override int FieldCount => _columns.Length;
    public override string GetName(int ordinal) => _columns[ordinal].Name;
    public override int GetOrdinal(string name) => Array.FindIndex(_columns, c => c.Name == name);
    public override Type GetFieldType(int ordinal) => _columns[ordinal].IsInteger ? typeof(int) : typeof(string);
    public override string GetDataTypeName(int ordinal) => GetFieldType(ordinal).Name;
    public override bool IsDBNull(int ordinal) => _columns[ordinal].IsInteger ? _integers[ordinal] is null : _texts[ordinal] is null;
    public override string GetString(int ordinal) => _texts[ordinal] ?? throw new InvalidCastException($"{GetName(ordinal)} is empty in this row.");
    public override int GetInt32(int ordinal) => _integers[ordinal] ?? throw new InvalidCastException($"{GetName(ordinal)} is empty in this row.");
    public override object GetValue(int ordinal) => (_columns[ordinal].IsInteger ? _integers[ordinal] : (object?)_texts[ordinal]) ?? DBNull.Value;

    public override int GetValues(object[] values)
    {
        var n = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < n; i++) values[i] = GetValue(i);
        return n;
    }

    public override object this[int ordinal] => GetValue(ordinal);
    public override object this[string name] => GetValue(GetOrdinal(name));
    public override bool HasRows => true;
    public override bool IsClosed => _closed;
    public override int RecordsAffected => -1;
    public override int Depth => 0;
    public override bool NextResult() => false;
    public override IEnumerator GetEnumerator() => throw new NotSupportedException();

    public override bool GetBoolean(int ordinal) => throw new NotSupportedException();
    public override byte GetByte(int ordinal) => throw new NotSupportedException();
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();
    public override char GetChar(int ordinal) => throw new NotSupportedException();
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();
    public override DateTime GetDateTime(int ordinal) => throw new NotSupportedException();
    public override decimal GetDecimal(int ordinal) => throw new NotSupportedException();
    public override double GetDouble(int ordinal) => throw new NotSupportedException();
    public override float GetFloat(int ordinal) => throw new NotSupportedException();
    public override Guid GetGuid(int ordinal) => throw new NotSupportedException();
    public override short GetInt16(int ordinal) => throw new NotSupportedException();
    public override long GetInt64(int ordinal) => GetInt32(ordinal);

    public override async ValueTask DisposeAsync()
    {
        _closed = true;
        await _rows.DisposeAsync();
        await base.DisposeAsync();
    }
}
