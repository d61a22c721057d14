#pragma once

#include "lm/GptHooks.h"

#include <Eigen/Core>

namespace featurescope {

class ImportedSae;

// Steering with an SAE feature: at the SAE's hook, every position gets `strength` times the feature's decoder
// direction added (SAELens's and Neuronpedia's steering). With clamp, the feature's own contribution is replaced
// instead: the activation moves along the direction until the feature's code would equal `strength`
// (x += (strength - f(x)) * d, f being the SAE's code for that feature). Strength 0 without clamp changes nothing.
class FeatureSteering {
public:
    FeatureSteering(const ImportedSae& sae, int feature, float strength, bool clamp = false);

    // Adds the intervention to `hooks` at `point` (the SAE's hook). The hook keeps what it needs; with clamp it
    // calls the SAE, which must outlive `hooks`.
    void install(GptHooks& hooks, const GptHookPoint& point) const;

private:
    const ImportedSae& m_sae;
    int m_feature;
    float m_strength;
    bool m_clamp;
};

} // namespace featurescope
