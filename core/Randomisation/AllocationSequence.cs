using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Trial.Core.Protocol;

namespace Trial.Core.Randomisation;

/// <summary>One place of a stratum's allocation sequence.</summary>
/// <param name="Stratum">The stratum's key (see <see cref="Strata"/>).</param>
/// <param name="SequenceNumber">1 for the stratum's first allocation, 2 for the next, and so on.</param>
/// <param name="BlockIndex">0 for the stratum's first block.</param>
/// <param name="BlockSize">The size drawn for this place's block.</param>
/// <param name="PositionInBlock">1 for the first place of its block.</param>
/// <param name="Arm">The arm's code.</param>
public sealed record AllocationSlot(string Stratum, int SequenceNumber, int BlockIndex, int BlockSize, int PositionInBlock, string Arm);

/// <summary>
/// The concealed allocation sequence of stratified permuted blocks with block sizes drawn at random.
/// <para>
/// Each stratum's sequence is a chain of blocks. Block <c>b</c> of stratum <c>s</c> is made from its own
/// deterministic, cryptographically secure random stream: the bytes of HMAC-SHA256(secret, label ‖ counter) for
/// counter = 0, 1, 2, …, where label names the study, the stratum and the block. The first number drawn picks the
/// block's size from the protocol's block sizes; the block then holds every arm as often as its allocation ratio
/// says (times size ÷ sum of ratios) and is shuffled by Fisher–Yates with the numbers that follow. Numbers are drawn
/// without modulo bias (rejection sampling).
/// </para>
/// <para>
/// So the sequence cannot be predicted without the secret (HMAC-SHA256 is a pseudo-random function), yet whoever
/// holds the secret regenerates exactly the same list for audit; each stratum's arms balance at the end of every
/// block, so the imbalance never exceeds half the largest block; and since block sizes vary at random, the end of a
/// block cannot be told from the count of allocations.
/// </para>
/// </summary>
public sealed class AllocationSequence
{
    private const string Domain = "trial/randomisation/permuted-blocks/v1";

    private readonly byte[] _secret;
    private readonly string _studyId;
    private readonly IReadOnlyList<ArmDefinition> _arms;
    private readonly IReadOnlyList<int> _blockSizes;
    private readonly int _ratioSum;

    public AllocationSequence(ReadOnlySpan<byte> secret, string studyId, IReadOnlyList<ArmDefinition> arms, IReadOnlyList<int> blockSizes)
    {
        if (secret.Length < RandomisationSecrets.MinimumBytes)
            throw new ArgumentException($"The randomisation secret must hold at least {RandomisationSecrets.MinimumBytes} bytes.", nameof(secret));
        if (arms.Count < 2) throw new ArgumentException("Randomisation needs at least two arms.", nameof(arms));
        _ratioSum = arms.Sum(a => a.AllocationRatio);
        if (blockSizes.Count == 0 || blockSizes.Any(size => size <= 0 || size % _ratioSum != 0))
            throw new ArgumentException($"Every block size must be a positive multiple of the sum of the allocation ratios ({_ratioSum}).", nameof(blockSizes));
        _secret = secret.ToArray();
        _studyId = studyId;
        _arms = arms;
        _blockSizes = blockSizes;
    }

    /// <summary>The sequence of a protocol that randomises by permuted blocks.</summary>
    public static AllocationSequence For(ProtocolDefinition protocol, ReadOnlySpan<byte> secret)
    {
        var randomisation = protocol.Design.Randomisation
            ?? throw new InvalidOperationException($"Protocol {protocol.ProtocolId} does not randomise.");
        return new AllocationSequence(secret, protocol.ProtocolId, protocol.Design.Arms, randomisation.BlockSizes);
    }

    public int LargestBlock => _blockSizes.Max();

    /// <summary>The stratum's sequence from its first place on (it never ends).</summary>
    public IEnumerable<AllocationSlot> Of(string stratum)
    {
        var sequenceNumber = 0;
        for (var blockIndex = 0; ; blockIndex++)
        {
            var block = Block(stratum, blockIndex);
            for (var i = 0; i < block.Length; i++)
                yield return new AllocationSlot(stratum, ++sequenceNumber, blockIndex, block.Length, i + 1, block[i]);
        }
    }

    /// <summary>The place <paramref name="sequenceNumber"/> (1-based) of the stratum's sequence.</summary>
    public AllocationSlot At(string stratum, int sequenceNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceNumber, 1);
        return Of(stratum).Skip(sequenceNumber - 1).First();
    }

    private string[] Block(string stratum, int blockIndex)
    {
        var random = new Stream(_secret, $"{Domain}\0{_studyId}\0{stratum}\0{blockIndex.ToString(CultureInfo.InvariantCulture)}");
        var size = _blockSizes[random.Below(_blockSizes.Count)];
        var perRatio = size / _ratioSum;
        var block = _arms.SelectMany(a => Enumerable.Repeat(a.Code, a.AllocationRatio * perRatio)).ToArray();
        for (var i = block.Length - 1; i > 0; i--)
        {
            var j = random.Below(i + 1);
            (block[i], block[j]) = (block[j], block[i]);
        }
        return block;
    }

    /// <summary>HMAC-SHA256 in counter mode: an endless, reproducible stream of unpredictable 32-bit numbers.</summary>
    private sealed class Stream(byte[] key, string label)
    {
        private readonly byte[] _label = Encoding.UTF8.GetBytes(label);
        private byte[] _buffer = [];
        private int _offset;
        private uint _counter;

        /// <summary>A uniformly drawn number in [0, <paramref name="bound"/>).</summary>
        public int Below(int bound)
        {
            if (bound <= 1) return 0;
            // Values at or above the last whole multiple of bound would favour the low remainders; draw again.
            var limit = uint.MaxValue - (uint)((1UL << 32) % (ulong)bound);
            uint value;
            do value = Next(); while (value > limit);
            return (int)(value % (uint)bound);
        }

        private uint Next()
        {
            if (_offset == _buffer.Length)
            {
                var input = new byte[_label.Length + 4];
                _label.CopyTo(input, 0);
                BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(_label.Length), _counter++);
                _buffer = HMACSHA256.HashData(key, input);
                _offset = 0;
            }
            var value = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_offset));
            _offset += 4;
            return value;
        }
    }
}
