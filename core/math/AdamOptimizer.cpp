#include "math/AdamOptimizer.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace featurescope {

AdamOptimizer::AdamOptimizer(std::size_t parameterCount, AdamSettings settings)
    : m_settings(settings), m_firstMoment(parameterCount, 0.0f), m_secondMoment(parameterCount, 0.0f)
{
}

void AdamOptimizer::step(float* parameters, const float* gradients)
{
    ++m_step;
    const float beta1 = static_cast<float>(m_settings.beta1);
    const float beta2 = static_cast<float>(m_settings.beta2);
    const double correction1 = 1.0 - std::pow(m_settings.beta1, static_cast<double>(m_step));
    const double correction2 = 1.0 - std::pow(m_settings.beta2, static_cast<double>(m_step));
    // PyTorch's formulation: p -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps).
    const float stepSize = static_cast<float>(m_settings.learningRate / correction1);
    const float inverseSqrtC2 = static_cast<float>(1.0 / std::sqrt(correction2));
    const float epsilon = static_cast<float>(m_settings.epsilon);
    const float decay = static_cast<float>(1.0 - m_settings.learningRate * m_settings.weightDecay);
    float* m = m_firstMoment.data();
    float* v = m_secondMoment.data();
    const std::size_t count = m_firstMoment.size();
    for (std::size_t i = 0; i < count; ++i) {
        const float g = gradients[i];
        m[i] = beta1 * m[i] + (1.0f - beta1) * g;
        v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
        parameters[i] = parameters[i] * decay - stepSize * m[i] / (std::sqrt(v[i]) * inverseSqrtC2 + epsilon);
    }
}

bool AdamOptimizer::restore(std::vector<float> firstMoment, std::vector<float> secondMoment, long long step)
{
    if (firstMoment.size() != m_firstMoment.size() || secondMoment.size() != m_secondMoment.size() || step < 0)
        return false;
    m_firstMoment = std::move(firstMoment);
    m_secondMoment = std::move(secondMoment);
    m_step = step;
    return true;
}

void AdamOptimizer::resetState(std::size_t begin, std::size_t count)
{
    const std::size_t end = std::min(begin + count, m_firstMoment.size());
    for (std::size_t i = begin; i < end; ++i) {
        m_firstMoment[i] = 0.0f;
        m_secondMoment[i] = 0.0f;
    }
}

} // namespace featurescope
