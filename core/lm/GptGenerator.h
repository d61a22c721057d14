#pragma once

#include "lm/GptModel.h"

#include <cstdint>
#include <vector>

namespace featurescope {

struct GptSampling {
    double temperature = 0.0; // 0: greedy (the most likely token)
    int topK = 0;             // > 0: sample among the k most likely tokens only
    std::uint64_t seed = 0;
};

// Continues a token sequence one token at a time, greedily or by sampling, optionally with hooks (a steering
// intervention applies at every step). The window is the last n_positions tokens. Same seed, same tokens.
class GptGenerator {
public:
    static std::vector<int> generate(const GptModel& model, std::vector<int> prompt, int count,
                                     const GptSampling& sampling, const GptHooks* hooks = nullptr);
};

} // namespace featurescope
