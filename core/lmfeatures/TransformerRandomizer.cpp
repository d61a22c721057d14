#include "lmfeatures/TransformerRandomizer.h"

#include "common/InputError.h"
#include "lm/GptWeights.h"
#include "math/Rng.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace featurescope {

using Kind = GptWeights::Kind;

TransformerRandomizer::Control TransformerRandomizer::parse(const std::string& name)
{
    if (name == "shuffle")
        return Control::Shuffle;
    if (name == "reinit")
        return Control::Reinit;
    if (name == "untrained")
        return Control::Untrained;
    throw InputError("unknown control '" + name + "' (expected shuffle, reinit or untrained)");
}

std::string TransformerRandomizer::name(Control control)
{
    switch (control) {
    case Control::Shuffle:
        return "shuffle";
    case Control::Reinit:
        return "reinit";
    case Control::Untrained:
        return "untrained";
    }
    return {};
}

void TransformerRandomizer::apply(GptWeights& weights, Control control, std::uint64_t seed, bool keepEmbeddings)
{
    auto isEmbedding = [](Kind k) { return k == Kind::TokenEmbedding || k == Kind::PositionEmbedding; };
    if (control == Control::Untrained) {
        const GptWeights trained = weights;
        weights.initialize(seed);
        if (keepEmbeddings)
            for (const Kind k : {Kind::TokenEmbedding, Kind::PositionEmbedding})
                weights.matrix(k) = trained.matrix(k);
        return;
    }
    Rng rng(seed);
    for (const GptWeights::Tensor& t : weights.tensors()) {
        if (t.isVector || (keepEmbeddings && isEmbedding(t.kind)))
            continue;
        float* values = weights.data() + t.offset;
        const std::size_t n = t.size();
        if (control == Control::Shuffle) {
            for (std::size_t i = n; i > 1; --i) // Fisher-Yates
                std::swap(values[i - 1], values[rng.below(std::uint64_t(i))]);
            continue;
        }
        double mean = 0.0, square = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            mean += values[i];
        mean /= double(n);
        for (std::size_t i = 0; i < n; ++i)
            square += (values[i] - mean) * (values[i] - mean);
        const double sd = std::sqrt(square / double(n));
        for (std::size_t i = 0; i < n; ++i)
            values[i] = float(mean + sd * rng.normal());
    }
}

} // namespace featurescope
