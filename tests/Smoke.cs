using NUnit.Framework;
namespace Trial.Tests;
public class Smoke { [Test] public void One_Plus_One_Two() => Assert.That(Environment.ProcessorCount, Is.GreaterThan(0)); }
