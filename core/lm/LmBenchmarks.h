#pragma once

#include "bench/Benchmarks.h"
#include "lm/GptConfig.h"

namespace featurescope {

// Timed runs of the language model's hot paths for `featurescope bench` (lm-train, lm-forward). They live beside
// the model (featurescope_lm) because core's Benchmarks cannot depend on it.
class LmBenchmarks {
public:
    // The default byte model (1 layer, d_model 128, 4 heads, MLP 512, context 64) trained with batch `batch` on
    // random bytes: steps/s, tokens/s (in `extra`), and FLOP/s counting the forward pass's matrix products x 3.
    static BenchmarkResult training(int steps, int batch, double& tokensPerSecond);
    // A GPT-2-small-shaped random model (12 x 768, 12 heads, MLP 3072, vocab 50257) run forward on `tokens` random
    // ids, one sequence per step: steps/s, tokens/s, FLOP/s of the forward pass.
    static BenchmarkResult forward(int steps, int tokens, double& tokensPerSecond, int layers = 12);
    // The same in bfloat16 (GptModel::setBf16), with the largest |logit difference| from the float32 pass over
    // those tokens, relative to the largest |logit|, and the mean |difference|. Throws InputError without the kernel.
    static BenchmarkResult forwardBf16(int steps, int tokens, double& tokensPerSecond, double& maxRelativeError,
                                       double& meanAbsoluteError, int layers = 12);
    // Matrix-product FLOPs of one forward pass over `batch` x `tokens` (attention scores and mixing counted in full).
    static double forwardFlops(const GptConfig& config, int batch, int tokens);
};

} // namespace featurescope
