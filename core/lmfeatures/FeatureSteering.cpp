#include "lmfeatures/FeatureSteering.h"

#include "common/InputError.h"
#include "sae/ImportedSae.h"

#include <cmath>
#include <string>

namespace featurescope {

FeatureSteering::FeatureSteering(const ImportedSae& sae, int feature, float strength, bool clamp)
    : m_sae(sae), m_feature(feature), m_strength(strength), m_clamp(clamp)
{
    if (feature < 0 || feature >= sae.latentDim())
        throw InputError("feature " + std::to_string(feature) + " is outside the SAE's " +
                         std::to_string(sae.latentDim()) + " features");
    if (!std::isfinite(strength))
        throw InputError("the steering strength must be a finite number");
}

void FeatureSteering::install(GptHooks& hooks, const GptHookPoint& point) const
{
    // The hook outlives this object (hooks are often built from a temporary): it keeps its own copies.
    const Eigen::RowVectorXf direction = m_sae.decoderWeights().col(m_feature).transpose();
    const ImportedSae* sae = &m_sae;
    const int feature = m_feature;
    const float strength = m_strength;
    if (!m_clamp) {
        hooks.add(point, [direction, strength](RowMatrixMap activation, int, int) {
            if (strength != 0.0f)
                activation.rowwise() += strength * direction;
        });
        return;
    }
    hooks.add(point, [direction, strength, sae, feature](RowMatrixMap activation, int, int) {
        const Eigen::MatrixXf codes = sae->encode(activation.transpose());
        for (Eigen::Index r = 0; r < activation.rows(); ++r)
            activation.row(r) += (strength - codes(feature, r)) * direction;
    });
}

} // namespace featurescope
