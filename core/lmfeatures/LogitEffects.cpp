#include "lmfeatures/LogitEffects.h"

#include "lm/GptModel.h"
#include "lm/GptProducts.h"

#include <algorithm>
#include <numeric>

namespace featurescope {

using Kind = GptWeights::Kind;
using Site = GptHookPoint::Site;

LogitEffects::LogitEffects(const GptModel& model, const GptHookPoint& hook, const TransformerLensProcessing& processing)
    : m_model(model), m_hook(hook), m_center(processing.centerWritingWeights), m_available(hook.site != Site::MlpPre)
{
}

Eigen::VectorXf LogitEffects::effects(const Eigen::Ref<const Eigen::VectorXf>& direction) const
{
    if (!m_available)
        return {};
    return effectsOfMany(Eigen::MatrixXf(direction)).row(0).transpose();
}

Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> LogitEffects::effectsOfMany(const Eigen::MatrixXf& directions) const
{
    if (!m_available)
        return {};
    const GptWeights& w = m_model.weights();
    RowMatrixF residual; // one direction per row
    if (m_hook.site == Site::MlpPost)
        residual = directions.transpose() * w.matrix(Kind::MlpProjWeight, m_hook.layer); // [n, d_mlp] x [d_mlp, d_model]
    else
        residual = directions.transpose();
    // After ln_final the vector is no longer in the residual stream: LayerNorm's centring is behind it.
    if (m_center && m_hook.site != Site::FinalNormalized)
        residual.colwise() -= residual.rowwise().mean();
    residual.array().rowwise() *= w.row(Kind::FinalNormGain).array();
    RowMatrixF out(residual.rows(), w.config().vocabSize);
    GptProducts::multiplyByTransposed(residual, w.matrix(Kind::TokenEmbedding), out); // unembedding tied to wte
    return out;
}

void LogitEffects::extremes(const Eigen::VectorXf& effects, int count, std::vector<Token>& top, std::vector<Token>& bottom)
{
    const int n = int(effects.size());
    count = std::clamp(count, 0, n);
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    // Ties go to the lower id, so the lists are deterministic.
    auto larger = [&](int a, int b) { return effects[a] > effects[b] || (effects[a] == effects[b] && a < b); };
    auto smaller = [&](int a, int b) { return effects[a] < effects[b] || (effects[a] == effects[b] && a < b); };
    top.clear();
    bottom.clear();
    std::partial_sort(order.begin(), order.begin() + count, order.end(), larger);
    for (int i = 0; i < count; ++i)
        top.push_back({order[std::size_t(i)], effects[order[std::size_t(i)]]});
    std::partial_sort(order.begin(), order.begin() + count, order.end(), smaller);
    for (int i = 0; i < count; ++i)
        bottom.push_back({order[std::size_t(i)], effects[order[std::size_t(i)]]});
}

} // namespace featurescope
