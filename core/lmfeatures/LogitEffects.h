#pragma once

#include "lm/GptHookPoint.h"
#include "lm/TransformerLensProcessing.h"

#include <Eigen/Core>

#include <optional>
#include <vector>

namespace featurescope {

class GptModel;

// What a direction written at a hook does to the next-token logits directly (no later layer in between), as
// SAE-Vis and Neuronpedia show a feature's "logit effects": the direction is carried into the residual stream
// (mlp.hook_post through the MLP's output weights; residual-stream hooks as it is; ln_final.hook_normalized
// is already past the residual), made mean-free when the model's writing weights are centred (TransformerLens's
// center_writing_weights, which the final LayerNorm would apply anyway), scaled by ln_f's gain (fold_ln) and
// multiplied by the unembedding. mlp.hook_pre has no direct path to the logits: nullopt.
class LogitEffects {
public:
    struct Token {
        int id = 0;
        float value = 0.0f;
    };

    LogitEffects(const GptModel& model, const GptHookPoint& hook, const TransformerLensProcessing& processing);

    bool available() const { return m_available; }
    // The effect of `direction` (the hook's width) on every vocabulary entry; empty when not available().
    Eigen::VectorXf effects(const Eigen::Ref<const Eigen::VectorXf>& direction) const;
    // The same for many directions at once (the columns of `directions`): one row of effects per direction.
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> effectsOfMany(const Eigen::MatrixXf& directions) const;
    // The `count` largest (descending) and smallest (ascending) effects.
    static void extremes(const Eigen::VectorXf& effects, int count, std::vector<Token>& top, std::vector<Token>& bottom);

private:
    const GptModel& m_model;
    GptHookPoint m_hook;
    bool m_center = true;
    bool m_available = false;
};

} // namespace featurescope
