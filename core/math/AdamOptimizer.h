#pragma once

#include <cstddef>
#include <vector>

namespace featurescope {

struct AdamSettings {
    double learningRate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double weightDecay = 0.0; // decoupled (AdamW) when > 0
};

// Adam / AdamW over one flat parameter array. Keeps its own moment estimates and step count.
class AdamOptimizer {
public:
    AdamOptimizer() = default;
    AdamOptimizer(std::size_t parameterCount, AdamSettings settings);

    void step(float* parameters, const float* gradients);
    // Clears the moments of parameters [begin, begin + count): used when a dead SAE feature is resampled.
    void resetState(std::size_t begin, std::size_t count);

    const AdamSettings& settings() const { return m_settings; }
    // For learning-rate schedules; the moments are kept.
    void setLearningRate(double learningRate) { m_settings.learningRate = learningRate; }
    long long stepCount() const { return m_step; }
    // The moment estimates, and a way back to a saved state (checkpoints); restore() needs size() values in each
    // and returns false otherwise.
    const std::vector<float>& firstMoment() const { return m_firstMoment; }
    const std::vector<float>& secondMoment() const { return m_secondMoment; }
    bool restore(std::vector<float> firstMoment, std::vector<float> secondMoment, long long step);
    std::size_t size() const { return m_firstMoment.size(); }

private:
    AdamSettings m_settings;
    std::vector<float> m_firstMoment;
    std::vector<float> m_secondMoment;
    long long m_step = 0;
};

} // namespace featurescope
