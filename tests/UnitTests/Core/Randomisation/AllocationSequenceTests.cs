using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Trial.Core.Protocol;
using Trial.Core.Randomisation;

namespace Trial.Tests.Core.Randomisation;

/// <summary>
/// The concealed allocation sequence: reproducible from its secret, balanced within every stratum, and not
/// predictable from the allocations already made.
/// </summary>
[TestFixture]
public class AllocationSequenceTests
{
    private static readonly ProtocolDefinition Default = ProtocolLoader.LoadDefault();

    private static readonly ArmDefinition Ket = new() { Code = "KET", Name = "Ketamine", Drug = "ketamine", DoseMgPerKg = 0.5m };
    private static readonly ArmDefinition Mdz = new() { Code = "MDZ", Name = "Midazolam", Drug = "midazolam", DoseMgPerKg = 0.045m };

    private static byte[] Secret(int seed) => Encoding.UTF8.GetBytes($"test-secret-{seed:D6}-of-at-least-thirty-two-characters");

    private static AllocationSequence Sequence(int seed, params int[] blockSizes) =>
        new(Secret(seed), "TEST", [Ket, Mdz], blockSizes.Length == 0 ? [2, 4] : blockSizes);

    [Test]
    public void Of_SameSecretAndStratum_GivesTheSameSequence()
    {
        var first = Sequence(1).Of("WAW/MADRS<35").Take(200).ToList();
        var again = Sequence(1).Of("WAW/MADRS<35").Take(200).ToList();

        Assert.That(again, Is.EqualTo(first));
        Assert.That(Sequence(1).At("WAW/MADRS<35", 137), Is.EqualTo(first[136]));
    }

    [Test]
    public void Of_AnotherSecretOrStratum_GivesAnotherSequence()
    {
        var arms = Sequence(1).Of("WAW/MADRS<35").Take(100).Select(s => s.Arm).ToList();

        Assert.That(Sequence(2).Of("WAW/MADRS<35").Take(100).Select(s => s.Arm), Is.Not.EqualTo(arms));
        Assert.That(Sequence(1).Of("WAW/MADRS>=35").Take(100).Select(s => s.Arm), Is.Not.EqualTo(arms));
    }

    [Test]
    public void Of_DefaultProtocol_BlocksOfFourAndSixEachHoldingBothArmsEqually()
    {
        var slots = AllocationSequence.For(Default, Secret(3)).Of("WAW/MADRS<35").Take(400).ToList();
        var blocks = slots.GroupBy(s => s.BlockIndex).SkipLast(1).ToList(); // the last block may be cut off by Take

        Assert.That(blocks.Select(b => b.Count()), Is.All.AnyOf(4, 6));
        Assert.That(blocks.Select(b => b.First().BlockSize), Is.EqualTo(blocks.Select(b => b.Count())));
        Assert.That(blocks.Where(b => b.Count(s => s.Arm == "KET") * 2 != b.Count()).Select(b => b.Key), Is.Empty);
        // Both sizes are drawn (with 100-odd blocks, missing one would take a very broken generator).
        Assert.That(blocks.Select(b => b.Count()).Distinct(), Is.EquivalentTo(new[] { 4, 6 }));
        Assert.That(slots.Select(s => s.SequenceNumber), Is.EqualTo(Enumerable.Range(1, 400)));
    }

    [Test]
    public void Of_TwoToOneRatio_EveryBlockHoldsTwiceAsManyOfTheFirstArm()
    {
        var sequence = new AllocationSequence(Secret(4), "TEST", [Ket with { AllocationRatio = 2 }, Mdz], [3, 6]);
        var blocks = sequence.Of("S").Take(300).GroupBy(s => s.BlockIndex).SkipLast(1).ToList();

        Assert.That(blocks.Where(b => b.Count(s => s.Arm == "KET") != 2 * b.Count(s => s.Arm == "MDZ")).Select(b => b.Key), Is.Empty);
    }

    [Test]
    public void New_BlockSizeNotAMultipleOfTheRatios_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => _ = new AllocationSequence(Secret(1), "TEST", [Ket, Mdz], [3]));
        Assert.Throws<ArgumentException>(() => _ = new AllocationSequence(new byte[16], "TEST", [Ket, Mdz], [2]));
    }

    // The balance property of permuted blocks: over any number of participants, in every stratum, the arms never differ
    // by more than half the largest block (every block closes balanced, so only the open block can be out of balance).
    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property Allocate_ManySimulatedParticipants_ImbalancePerStratumNeverExceedsHalfTheLargestBlock()
    {
        var strata = new[] { "WAW/MADRS<35", "WAW/MADRS>=35", "KRK/MADRS<35", "KRK/MADRS>=35" };
        var gen =
            from seed in Gen.Choose(0, 1_000_000)
            from participants in Gen.Elements(strata).ListOf().Select(l => l.Take(300).ToList())
            select (seed, participants);

        return Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var sequence = AllocationSequence.For(Default, Secret(input.seed));
            // As the API does: each stratum's counter gives the participant the next place of that stratum's sequence.
            var next = strata.ToDictionary(s => s, _ => 0);
            var counts = strata.ToDictionary(s => s, _ => (Ket: 0, Mdz: 0));
            foreach (var stratum in input.participants)
            {
                var arm = sequence.At(stratum, ++next[stratum]).Arm;
                var (ket, mdz) = counts[stratum];
                counts[stratum] = arm == "KET" ? (ket + 1, mdz) : (ket, mdz + 1);
                if (Math.Abs(counts[stratum].Ket - counts[stratum].Mdz) > sequence.LargestBlock / 2) return false;
            }
            return true;
        });
    }

    /// <summary>
    /// Unpredictability, measured: over many sequences (random secrets), the conditional frequency with which the next
    /// allocation is the arm that is behind, given only the counts so far in the stratum (the imbalance d = KET − MDZ).
    /// A guesser who knows every earlier allocation can do no better from the counts than guess the arm behind.
    /// </summary>
    private static Dictionary<int, (int Next, int BehindNext)> NextArmByImbalance(Func<int, AllocationSequence> sequenceOf, int sequences, int length)
    {
        var table = new Dictionary<int, (int Next, int BehindNext)>();
        for (var seed = 0; seed < sequences; seed++)
        {
            var d = 0;
            foreach (var slot in sequenceOf(seed).Of("WAW/MADRS<35").Take(length))
            {
                var behind = d > 0 ? "MDZ" : d < 0 ? "KET" : null;
                var key = Math.Abs(d);
                var (n, b) = table.GetValueOrDefault(key);
                table[key] = (n + 1, b + (behind is null ? (slot.Arm == "KET" ? 1 : 0) : (slot.Arm == behind ? 1 : 0)));
                d += slot.Arm == "KET" ? 1 : -1;
            }
        }
        return table;
    }

    // The check: with block sizes drawn at random from {2, 4}, the conditional probability of the next arm given the
    // counts is 1/2 when the arms are level, stays well below 1 (8/9 in theory) one apart, and is 1 only two apart,
    // where a block of 4 must close. With fixed blocks of 2 the same measure gives certainty one apart: every second
    // allocation could be called (see the next test, which shows the measure tells the two apart).
    [Test]
    public void Of_RandomBlockSizes_NextArmFromTheCountsIsCertainOnlyWhenTheLargestBlockMustClose()
    {
        var table = NextArmByImbalance(seed => Sequence(seed, 2, 4), sequences: 2000, length: 40);
        double P(int d) => (double)table[d].BehindNext / table[d].Next;

        Assert.That(P(0), Is.EqualTo(0.5).Within(0.02), "level: either arm");
        Assert.That(P(1), Is.InRange(0.85, 0.92), "one apart: the arm behind is likelier, but far from certain");
        Assert.That(P(2), Is.EqualTo(1.0), "two apart: half the largest block, the block must close");
        Assert.That(table.Keys.Max(), Is.EqualTo(2), "never more than half the largest block apart");
        var certain = (double)table[2].Next / table.Values.Sum(v => v.Next);
        Assert.That(certain, Is.LessThan(0.15), "allocations a guesser could call from the counts");
    }

    // The default protocol's blocks of 4 or 6: one apart, the arm behind comes next about 78 % of the time (89 % with
    // blocks of 2 or 4), two apart about 91 %, and certainty only three apart, where a block of 6 must close: about one
    // allocation in a hundred, against one in eighteen with blocks of 2 or 4 (compared in the same run).
    [Test]
    public void Of_DefaultBlocksOfFourAndSix_FewerAllocationsCallableThanWithBlocksOfTwoAndFour()
    {
        var table = NextArmByImbalance(seed => AllocationSequence.For(Default, Secret(seed)), sequences: 2000, length: 40);
        var smaller = NextArmByImbalance(seed => Sequence(seed, 2, 4), sequences: 2000, length: 40);
        double P(int d) => (double)table[d].BehindNext / table[d].Next;
        static double Certain(Dictionary<int, (int Next, int BehindNext)> t, int d) => (double)t[d].Next / t.Values.Sum(v => v.Next);

        Assert.That(Default.Design.Randomisation!.BlockSizes, Is.EqualTo(new[] { 4, 6 }));
        Assert.That(P(0), Is.EqualTo(0.5).Within(0.02), "level: either arm");
        Assert.That(P(1), Is.InRange(0.75, 0.82), "one apart");
        Assert.That(P(2), Is.InRange(0.87, 0.95), "two apart: still not certain, the block may be of 6");
        Assert.That(P(3), Is.EqualTo(1.0), "three apart: half the largest block, the block must close");
        Assert.That(table.Keys.Max(), Is.EqualTo(3), "never more than half the largest block apart");
        Assert.That(Certain(table, 3), Is.LessThan(0.02), "allocations a guesser could call from the counts");
        Assert.That(Certain(table, 3), Is.LessThan(Certain(smaller, 2) / 4), "far fewer than with blocks of 2 or 4");
    }

    [Test]
    public void Of_FixedBlocksOfTwo_SameMeasureShowsEverySecondAllocationPredictable()
    {
        var table = NextArmByImbalance(seed => Sequence(seed, 2), sequences: 500, length: 40);

        Assert.That((double)table[1].BehindNext / table[1].Next, Is.EqualTo(1.0));
        Assert.That((double)table[1].Next / table.Values.Sum(v => v.Next), Is.EqualTo(0.5));
    }
}
