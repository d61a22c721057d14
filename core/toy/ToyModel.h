#pragma once

#include "toy/ToyInstance.h"
#include "toy/ToyModelConfig.h"

#include <cstdint>
#include <vector>

namespace featurescope {

// A batch of independent toy models (instances) sharing n, m and the architecture.
class ToyModel {
public:
    explicit ToyModel(ToyModelConfig config = {});

    // Xavier-normal W (std sqrt(2/(n+m))), zero bias; each instance draws from its own stream of `seed`.
    void initialise(std::uint64_t seed);

    const ToyModelConfig& config() const { return m_config; }
    int instanceCount() const { return static_cast<int>(m_instances.size()); }
    ToyInstance& instance(int i) { return m_instances[static_cast<std::size_t>(i)]; }
    const ToyInstance& instance(int i) const { return m_instances[static_cast<std::size_t>(i)]; }

    // x' for one input of instance i (used by probes and tests; training uses ToyLossKernel).
    Eigen::VectorXf forward(int instance, const Eigen::VectorXf& x) const;

private:
    ToyModelConfig m_config;
    std::vector<ToyInstance> m_instances;
};

} // namespace featurescope
