#include "sae/SparseCombinationSampler.h"

#include <algorithm>
#include <cmath>

namespace featurescope {

namespace {
// Above this probability one Bernoulli draw per entry is cheaper than geometric skipping.
constexpr double kSkippingBelow = 0.25;
constexpr int kChunk = 256;
} // namespace

SparseCombinationSampler::SparseCombinationSampler(Eigen::MatrixXf directions, std::vector<double> probability,
                                                   bool signedValues)
    : m_directions(std::move(directions)), m_probability(std::move(probability)), m_signed(signedValues)
{
    m_probability.resize(std::size_t(m_directions.cols()), 0.0);
    for (double& p : m_probability)
        p = std::clamp(std::isfinite(p) ? p : 0.0, 0.0, 1.0);
    for (double p : m_probability)
        m_inverseLogQ.push_back(p > 0.0 && p < 1.0 ? static_cast<float>(1.0 / std::log1p(-p)) : 0.0f);
}

double SparseCombinationSampler::meanActive() const
{
    double sum = 0.0;
    for (double p : m_probability)
        sum += p;
    return sum;
}

void SparseCombinationSampler::sample(Eigen::MatrixXf& X, int batch, UniformStream& stream,
                                      Eigen::MatrixXf* coefficients) const
{
    const int d = dimension();
    X.setZero(d, batch);
    if (coefficients)
        coefficients->setZero(featureCount(), batch);
    const float scale = m_signed ? 2.0f : 1.0f;
    const float offset = m_signed ? -1.0f : 0.0f;
    float u[kChunk];
    int used = kChunk;
    auto draw = [&]() {
        if (used == kChunk) {
            stream.fill(u, kChunk);
            used = 0;
        }
        return u[used++];
    };
    auto add = [&](int feature, int s, float value) {
        X.col(s) += value * m_directions.col(feature);
        if (coefficients)
            (*coefficients)(feature, s) = value;
    };
    for (int i = 0; i < featureCount(); ++i) {
        const double p = m_probability[std::size_t(i)];
        if (p <= 0.0)
            continue;
        if (p >= kSkippingBelow) {
            const float pf = static_cast<float>(p);
            for (int s = 0; s < batch; ++s) {
                const float gate = draw();
                const float value = draw();
                if (p >= 1.0 || gate < pf)
                    add(i, s, scale * value + offset);
            }
            continue;
        }
        const float inverseLogQ = m_inverseLogQ[std::size_t(i)];
        long long position = -1;
        while (true) {
            // Gap ~ Geometric(p): the number of inactive inputs before the next active one. 1 − u lies in (0, 1].
            const float gap = std::floor(std::log(1.0f - draw()) * inverseLogQ);
            if (!(gap >= 0.0f) || gap > float(batch))
                break;
            position += 1 + static_cast<long long>(gap);
            if (position >= batch)
                break;
            add(i, static_cast<int>(position), scale * draw() + offset);
        }
    }
}

} // namespace featurescope
