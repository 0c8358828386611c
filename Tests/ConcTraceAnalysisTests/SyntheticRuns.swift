/// Made-up repeated measurements shared by the verdict and advice tests (times in s, memory in bytes).
enum SyntheticRuns {
    /// The tie: medians 71.6 and 72.0 ms with intervals [69.8-73.1] and [70.2-74.4] (n = 6: min-max);
    /// scipy 1.17.1's exact Mann-Whitney U for the pair: U = 14, p = 0.5887445887445888.
    static let threadsWall = [0.0698, 0.0712, 0.0715, 0.0717, 0.0724, 0.0731]
    static let asyncWall = [0.0702, 0.0714, 0.0719, 0.0721, 0.0730, 0.0744]
    /// Median 41.1 ms [40.1-42.0]: entirely below the two above (exact p = 2/924 = 0.0021645021645021645).
    static let eventloopWall = [0.0412, 0.0401, 0.0420, 0.0414, 0.0408, 0.0410]
    /// About 21.0 and 40.0 MiB, entirely apart (exact p = 2/924).
    static let lean = [22_020_096.0, 22_028_288, 22_016_000, 22_036_480, 22_024_192, 22_032_384]
    static let heavy = [41_943_040.0, 41_951_232, 41_947_136, 41_938_944, 41_955_328, 41_959_424]
}
