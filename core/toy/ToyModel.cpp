#include "toy/ToyModel.h"

#include "math/Rng.h"

#include <cmath>

namespace featurescope {

ToyModel::ToyModel(ToyModelConfig config) : m_config(std::move(config))
{
    m_instances.resize(static_cast<std::size_t>(m_config.instances()));
    for (auto& inst : m_instances) {
        inst.W = Eigen::MatrixXf::Zero(m_config.hidden, m_config.features);
        if (!m_config.tied())
            inst.decoder = Eigen::MatrixXf::Zero(m_config.hidden, m_config.features);
        inst.b = Eigen::VectorXf::Zero(m_config.features);
    }
}

void ToyModel::initialise(std::uint64_t seed)
{
    const double stddev = std::sqrt(2.0 / (m_config.features + m_config.hidden));
    for (int i = 0; i < instanceCount(); ++i) {
        Rng rng(Rng::deriveSeed(seed, static_cast<std::uint64_t>(i)));
        auto& inst = m_instances[static_cast<std::size_t>(i)];
        for (Eigen::Index c = 0; c < inst.W.cols(); ++c)
            for (Eigen::Index r = 0; r < inst.W.rows(); ++r)
                inst.W(r, c) = static_cast<float>(stddev * rng.normal());
        for (Eigen::Index c = 0; c < inst.decoder.cols(); ++c)
            for (Eigen::Index r = 0; r < inst.decoder.rows(); ++r)
                inst.decoder(r, c) = static_cast<float>(stddev * rng.normal());
        inst.b.setZero();
    }
}

Eigen::VectorXf ToyModel::forward(int instance, const Eigen::VectorXf& x) const
{
    const auto& inst = m_instances[static_cast<std::size_t>(instance)];
    Eigen::VectorXf h = inst.W * x;
    if (m_config.kind == ToyModelKind::ReluHidden || m_config.kind == ToyModelKind::UntiedAbs)
        h = h.cwiseMax(0.0f);
    Eigen::VectorXf out = inst.decoderWeights().transpose() * h + inst.b;
    if (m_config.kind != ToyModelKind::Linear)
        out = out.cwiseMax(0.0f);
    return out;
}

} // namespace featurescope
