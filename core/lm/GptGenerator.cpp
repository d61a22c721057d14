#include "lm/GptGenerator.h"

#include "common/InputError.h"
#include "math/Rng.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace featurescope {

std::vector<int> GptGenerator::generate(const GptModel& model, std::vector<int> prompt, int count,
                                        const GptSampling& sampling, const GptHooks* hooks)
{
    if (prompt.empty())
        throw InputError("generation needs a prompt of at least one token");
    const int positions = model.config().positions;
    Rng rng(sampling.seed);
    GptActivations activations;
    std::vector<int> order;
    std::vector<double> weights;
    std::vector<int> generated;
    for (int step = 0; step < count; ++step) {
        const std::size_t window = std::min<std::size_t>(prompt.size(), std::size_t(positions));
        const int* ids = prompt.data() + (prompt.size() - window);
        model.forward(ids, 1, int(window), activations, hooks);
        const auto logits = activations.logits.row(Eigen::Index(window) - 1);
        int next = 0;
        if (sampling.temperature <= 0.0) {
            Eigen::Index best = 0;
            logits.maxCoeff(&best);
            next = int(best);
        } else {
            order.resize(std::size_t(logits.size()));
            std::iota(order.begin(), order.end(), 0);
            const std::size_t k = sampling.topK > 0 ? std::min<std::size_t>(std::size_t(sampling.topK), order.size())
                                                    : order.size();
            std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(k), order.end(),
                              [&](int a, int b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
            const double top = logits[order[0]];
            weights.resize(k);
            double total = 0.0;
            for (std::size_t i = 0; i < k; ++i)
                total += weights[i] = std::exp((double(logits[order[i]]) - top) / sampling.temperature);
            double u = rng.uniform() * total;
            std::size_t pick = 0;
            while (pick + 1 < k && u >= weights[pick])
                u -= weights[pick++];
            next = order[pick];
        }
        prompt.push_back(next);
        generated.push_back(next);
    }
    return generated;
}

} // namespace featurescope
