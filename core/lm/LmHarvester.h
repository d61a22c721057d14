#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

class GptHookPoint;
class LanguageModel;
class ProgressReporter;

struct HarvestSettings {
    std::string hook;             // a TransformerLens hook name
    int context = 0;              // tokens per window including BOS (0: n_positions)
    std::uint64_t maxTokens = 100000; // rows to write at most (whole windows)
    bool prependBos = true;       // when the tokenizer has a BOS token
    bool center = false;          // subtract each vector's mean over its last axis
    bool foldLn = false;          // ln_final.hook_normalized before ln_f's gain and bias (TransformerLens fold_ln)
};

struct HarvestResult {
    std::uint64_t rows = 0;
    std::uint64_t sequences = 0;
    int width = 0;
};

// Runs a corpus through a model in consecutive non-overlapping windows and writes one hook's activations as .npz:
// `acts` [rows, width] f32, `tokens` (the token strings, NumPy '<U' strings), `token_ids` and `sequence_ids`
// (int64, one window = one sequence) - the layout ActivationImport reads. The activations stream to a temporary
// file as they are computed (memory stays bounded by one batch of windows plus the per-row ids and strings); the
// archive is assembled with libzip and renamed into place. Cancel throws Cancelled and leaves no file.
class LmHarvester {
public:
    static HarvestResult run(const LanguageModel& model, const std::string& corpusText, const HarvestSettings& settings,
                             const std::string& outPath, ProgressReporter* progress = nullptr);
    // The same windows without a file: the hook's activations of the first whole windows of `ids` (at most
    // maxTokens positions, BOS first in each window when `prependBos` and the tokenizer has one) as width x rows,
    // one position per column. Throws InputError when no window fits, Cancelled through `progress`.
    static Eigen::MatrixXf collect(const LanguageModel& model, const std::vector<int>& ids, const GptHookPoint& hook,
                                   int context, std::uint64_t maxTokens, bool prependBos,
                                   const ProgressReporter* progress = nullptr);
    // A 1-D NumPy array of fixed-width unicode strings ('<Uk', UTF-32LE, NUL-padded) as .npy bytes. Invalid UTF-8
    // (a token that holds part of a character) becomes U+FFFD.
    static std::string unicodeNpy(const std::vector<std::string>& strings);
};

} // namespace featurescope
