#pragma once

#include "lm/GptHookPoint.h"
#include "lm/GptWeights.h"
#include "lm/TransformerLensProcessing.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace featurescope {

class GptModel;
class ProgressReporter;

// How much of the model's next-token prediction survives when the activation at one hook is replaced, SAEBench's
// "core" metrics: the loss with the hook intact (clean), with the replacement spliced in (an SAE's reconstruction),
// and with the hook zero-ablated, and the KL divergence of the spliced and ablated predictions from the clean ones.
// ce_loss_score = (CE_ablated − CE_spliced) / (CE_ablated − CE_clean): 1 when the splice loses nothing, 0 when it is
// as bad as deleting the activation. kl_div_score = (KL_ablated − KL_spliced) / KL_ablated, read the same way.
struct SpliceScores {
    double ceClean = 0.0;
    double ceSpliced = 0.0;
    double ceAblated = 0.0;
    double ceLossScore = 0.0;
    double klSpliced = 0.0; // mean over positions of KL(p_clean || p_spliced), nats
    double klAblated = 0.0;
    double klDivScore = 0.0;
    std::int64_t tokens = 0;  // positions whose KL counts (every position of every window)
    std::int64_t windows = 0;
};

class SpliceEvaluation {
public:
    // Overwrites the activation rows (one row per position, the hook's width) with what the model should see.
    using Replacement = std::function<void(RowMatrixMap activation)>;

    // Runs `ids` as consecutive windows of `context` tokens (a shorter tail is dropped), `batch` windows per forward
    // pass, three times each (clean, spliced, ablated). With `bos`, every window is that token followed by
    // context - 1 tokens of the text. `processing` decides what the hook sees (an SAE trained with SAELens expects
    // the processing its cfg.json names; its prepend_bos is the caller's to turn into `bos`). Throws InputError when
    // no full window fits or a token is outside the vocabulary, Cancelled through `progress`.
    static SpliceScores evaluate(const GptModel& model, const GptHookPoint& hook, const Replacement& replace,
                                 const std::vector<int>& ids, int context, int batch = 8,
                                 const ProgressReporter* progress = nullptr,
                                 const TransformerLensProcessing& processing = TransformerLensProcessing::raw(),
                                 std::optional<int> bos = std::nullopt);
};

} // namespace featurescope
