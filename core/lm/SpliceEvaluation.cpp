#include "lm/SpliceEvaluation.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "lm/GptModel.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace featurescope {

namespace {

// Row-wise log-softmax in double: KL between nearly equal distributions needs the precision.
Eigen::MatrixXd logSoftmax(const RowMatrixF& logits)
{
    Eigen::MatrixXd out = logits.cast<double>();
    for (Eigen::Index r = 0; r < out.rows(); ++r) {
        const double peak = out.row(r).maxCoeff();
        const double norm = peak + std::log((out.row(r).array() - peak).exp().sum());
        out.row(r).array() -= norm;
    }
    return out;
}

// Sum over rows of KL(p || q) for log-probabilities lp, lq.
double klSum(const Eigen::MatrixXd& lp, const Eigen::MatrixXd& lq)
{
    return (lp.array().exp() * (lp.array() - lq.array())).sum();
}

} // namespace

SpliceScores SpliceEvaluation::evaluate(const GptModel& model, const GptHookPoint& hook, const Replacement& replace,
                                        const std::vector<int>& ids, int context, int batch,
                                        const ProgressReporter* progress, const TransformerLensProcessing& processing,
                                        std::optional<int> bos)
{
    if (context < 2 || context > model.config().positions)
        throw InputError("the context must be between 2 and the model's " + std::to_string(model.config().positions) +
                         " positions");
    batch = std::max(1, batch);
    const int body = context - (bos ? 1 : 0); // text tokens per window
    const std::int64_t windows = std::int64_t(ids.size()) / body;
    if (windows < 1)
        throw InputError("the text has " + std::to_string(ids.size()) + " tokens, fewer than one window of " +
                         std::to_string(body));

    GptHooks spliced, ablated;
    processing.applyTo(spliced);
    processing.applyTo(ablated);
    spliced.add(hook, [&](RowMatrixMap activation, int, int) { replace(activation); });
    ablated.add(hook, [](RowMatrixMap activation, int, int) { activation.setZero(); });

    double ce[3] = {0.0, 0.0, 0.0}, kl[2] = {0.0, 0.0};
    std::int64_t counted = 0, positions = 0;
    GptActivations clean, other;
    std::vector<int> windowIds;
    for (std::int64_t first = 0; first < windows; first += batch) {
        if (progress) {
            if (progress->isCancelled())
                throw Cancelled();
            progress->report(double(first) / double(windows), "splicing");
        }
        const int n = int(std::min<std::int64_t>(batch, windows - first));
        windowIds.resize(std::size_t(n) * std::size_t(context));
        for (int w = 0; w < n; ++w) {
            int* row = windowIds.data() + std::size_t(w) * std::size_t(context);
            if (bos)
                *row++ = *bos;
            std::copy_n(ids.data() + (first + w) * body, body, row);
        }
        const int* chunk = windowIds.data();
        const std::vector<int> targets = GptModel::nextTokenTargets(chunk, n, context);
        const std::int64_t rowsCounted = std::count_if(targets.begin(), targets.end(), [](int t) { return t >= 0; });
        model.forward(chunk, n, context, clean);
        ce[0] += GptModel::crossEntropy(clean.logits, targets) * double(rowsCounted);
        const Eigen::MatrixXd lpClean = logSoftmax(clean.logits);
        int k = 1;
        for (const GptHooks* hooks : {&spliced, &ablated}) {
            model.forward(chunk, n, context, other, hooks);
            ce[k] += GptModel::crossEntropy(other.logits, targets) * double(rowsCounted);
            kl[k - 1] += klSum(lpClean, logSoftmax(other.logits));
            ++k;
        }
        counted += rowsCounted;
        positions += std::int64_t(n) * context;
    }
    SpliceScores s;
    s.windows = windows;
    s.tokens = positions;
    s.ceClean = ce[0] / double(counted);
    s.ceSpliced = ce[1] / double(counted);
    s.ceAblated = ce[2] / double(counted);
    s.klSpliced = kl[0] / double(positions);
    s.klAblated = kl[1] / double(positions);
    // Undefined (NaN) when ablating changes nothing, which a caller must show rather than hide.
    s.ceLossScore = (s.ceAblated - s.ceSpliced) / (s.ceAblated - s.ceClean);
    s.klDivScore = (s.klAblated - s.klSpliced) / s.klAblated;
    if (progress)
        progress->report(1.0, "splicing");
    return s;
}

} // namespace featurescope
