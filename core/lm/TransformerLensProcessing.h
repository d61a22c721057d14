#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace featurescope {

class GptHooks;

// What TransformerLens's HookedTransformer.from_pretrained does to a Hugging Face GPT-2 before any hook reads it,
// reduced to its effect on the hooks we offer. SAEs trained with SAELens saw activations processed this way, so
// splicing or harvesting for them must reproduce it:
//  - center_writing_weights: every weight that writes to the residual stream is made mean-free, so residual-stream
//    hooks (resid_pre/mid/post, attn_out, mlp_out) see each vector minus its mean over d_model. Every reader of the
//    residual starts with a LayerNorm, which ignores the mean, so the logits do not change.
//  - fold_ln: LayerNorm gains and biases move into the next linear layer; of our hooks only ln_final.hook_normalized
//    changes: it becomes the normalised vector before ln_f's gain and bias.
//  - prepend_bos: each window starts with the BOS token (when the tokenizer has one).
// The defaults are TransformerLens's; raw() is the plain Hugging Face forward pass.
struct TransformerLensProcessing {
    bool prependBos = true;
    bool centerWritingWeights = true;
    bool foldLn = true;

    static TransformerLensProcessing raw();
    // From an SAE's cfg.json (either SAELens layout): prepend_bos and model_from_pretrained_kwargs{fold_ln,
    // center_writing_weights}, at the top level or under metadata; absent keys keep TransformerLens's defaults.
    // A key of the wrong type throws InputError naming `where`.
    static TransformerLensProcessing fromSaeLensConfig(const nlohmann::json& cfg, const std::string& where);

    // Makes `hooks` see activations the way TransformerLens's hooks would (prepend_bos is the caller's business).
    void applyTo(GptHooks& hooks) const;
    nlohmann::json toJson() const; // {"prepend_bos", "center_writing_weights", "fold_ln"}
};

} // namespace featurescope
