#include "toy/SparseFeatureSampler.h"

#include <cmath>

namespace featurescope {

namespace {
// Below this probability, skipping by geometric gaps draws fewer numbers than one Bernoulli draw per entry.
constexpr double kSkippingBelow = 0.25;
} // namespace

SparseFeatureSampler::SparseFeatureSampler(std::uint64_t seed) : m_stream(seed) {}

void SparseFeatureSampler::sample(const std::vector<double>& probability, bool signedValues, Eigen::MatrixXf& X)
{
    sample(probability, signedValues, X.data(), static_cast<int>(X.rows()));
}

void SparseFeatureSampler::sample(const std::vector<double>& probability, bool signedValues, float* X, int rows)
{
    const int batch = rows;
    if (m_scratch.size() < 2 * static_cast<std::size_t>(batch))
        m_scratch.resize(2 * static_cast<std::size_t>(batch));
    for (std::size_t j = 0; j < probability.size(); ++j) {
        const double p = probability[j];
        float* column = X + j * static_cast<std::size_t>(rows);
        if (p >= 1.0)
            sampleDense(column, batch, signedValues);
        else if (p >= kSkippingBelow)
            sampleBernoulli(column, batch, static_cast<float>(p), signedValues);
        else
            sampleSkipping(column, batch, p, signedValues);
    }
}

void SparseFeatureSampler::sampleDense(float* column, int batch, bool signedValues)
{
    m_stream.fill(column, static_cast<std::size_t>(batch));
    if (signedValues)
        for (int s = 0; s < batch; ++s)
            column[s] = 2.0f * column[s] - 1.0f;
}

void SparseFeatureSampler::sampleBernoulli(float* column, int batch, float p, bool signedValues)
{
    float* u = m_scratch.data();
    m_stream.fill(u, 2 * static_cast<std::size_t>(batch));
    const float* value = u + batch;
    const float scale = signedValues ? 2.0f : 1.0f;
    const float offset = signedValues ? -1.0f : 0.0f;
    for (int s = 0; s < batch; ++s)
        column[s] = u[s] < p ? scale * value[s] + offset : 0.0f;
}

void SparseFeatureSampler::sampleSkipping(float* column, int batch, double p, bool signedValues)
{
    std::fill(column, column + batch, 0.0f);
    const float inverseLogQ = static_cast<float>(1.0 / std::log1p(-p));
    // Two numbers per active entry (gap, value); draw them in blocks.
    const std::size_t block = std::min<std::size_t>(m_scratch.size(), static_cast<std::size_t>(4.0 * p * batch) + 32);
    float* u = m_scratch.data();
    std::size_t used = block;
    auto draw = [&]() {
        if (used == block) {
            m_stream.fill(u, block);
            used = 0;
        }
        return u[used++];
    };
    long long position = -1;
    while (true) {
        // Gap ~ Geometric(p): the number of zeros before the next active entry. 1 - u lies in (0, 1].
        const float gap = std::floor(std::log(1.0f - draw()) * inverseLogQ);
        // Compare while still a float: a tiny p makes gaps far beyond any integer type (converting those is
        // undefined and once wrapped the position negative). Below batch (an int) the conversion is exact enough.
        if (!(gap >= 0.0f) || !(gap < static_cast<float>(batch)))
            break;
        position += 1 + static_cast<long long>(gap);
        if (position >= batch)
            break;
        const float value = draw();
        column[position] = signedValues ? 2.0f * value - 1.0f : value;
    }
}

} // namespace featurescope
