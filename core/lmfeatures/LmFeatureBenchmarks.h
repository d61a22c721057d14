#pragma once

#include "bench/Benchmarks.h"

#include <cstdint>

namespace featurescope {

// Timed runs for `featurescope bench` of the feature dashboard's two costs: the scan (harvest a hook of the
// default byte model and encode every position with an SAE, `lm-harvest`) and opening one feature's card once the
// scan is done (`dashboard`). Random model and SAE: the work does not depend on the values, only on the sizes and
// on the SAE's sparsity, which a TopK SAE (k = 32 of 4096 latents on the MLP's 512 units) fixes.
class LmFeatureBenchmarks {
public:
    // Scans `tokens` positions of random bytes with `threads` threads; tokens/s in `tokensPerSecond`, and the
    // mean milliseconds to build a feature card (over 32 features) in `cardMilliseconds`.
    static BenchmarkResult scan(std::int64_t tokens, int threads, double& tokensPerSecond, double& cardMilliseconds);
};

} // namespace featurescope
