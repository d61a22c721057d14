#include "lm/GptActivations.h"

namespace featurescope {

void GptActivations::resize(const GptConfig& config, int batchSize, int tokenCount, bool keep)
{
    batch = batchSize;
    tokens = tokenCount;
    keepForBackward = keep;
    const Eigen::Index n = Eigen::Index(batchSize) * tokenCount, d = config.width, f = config.inner;
    ids.resize(std::size_t(n));
    residual.resize(n, d);
    blockOut.resize(n, d);
    layers.resize(keep ? std::size_t(config.layers) : 1);
    const std::size_t patterns = keep ? std::size_t(batchSize) * std::size_t(config.heads) * std::size_t(tokenCount) *
                                            std::size_t(tokenCount)
                                      : std::size_t(tokenCount) * std::size_t(tokenCount);
    for (Layer& l : layers) {
        l.norm1Hat.resize(n, d);
        l.norm1Out.resize(n, d);
        l.norm1Rstd.resize(n);
        l.qkv.resize(n, 3 * d);
        l.probabilities.resize(patterns);
        l.heads.resize(n, d);
        l.norm2Hat.resize(n, d);
        l.norm2Out.resize(n, d);
        l.norm2Rstd.resize(n);
        l.pre.resize(n, f);
        l.post.resize(n, f);
    }
    finalHat.resize(n, d);
    finalOut.resize(n, d);
    finalRstd.resize(n);
    logits.resize(n, config.vocabSize);
}

} // namespace featurescope
