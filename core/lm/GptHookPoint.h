#pragma once

#include "lm/GptConfig.h"

#include <string>
#include <vector>

namespace featurescope {

// A place in the forward pass where an activation can be read or replaced, named as TransformerLens names it:
// blocks.L.hook_resid_pre, .hook_attn_out, .hook_resid_mid, .mlp.hook_pre, .mlp.hook_post, .hook_mlp_out,
// .hook_resid_post, and ln_final.hook_normalized.
struct GptHookPoint {
    enum class Site { ResidPre, AttnOut, ResidMid, MlpPre, MlpPost, MlpOut, ResidPost, FinalNormalized };

    Site site = Site::ResidPre;
    int layer = 0; // -1 for ln_final.hook_normalized

    // Throws InputError naming the accepted forms when `name` is not a hook of a model with `layers` layers.
    static GptHookPoint parse(const std::string& name, int layers);
    // Every hook of a model with `layers` layers, in the order the forward pass reaches them.
    static std::vector<GptHookPoint> all(int layers);
    std::string name() const;
    // Width of the activation: d_mlp for the MLP's hidden hooks, d_model otherwise.
    int width(const GptConfig& config) const;
    // True for the hooks that live in (or write to) the residual stream, where TransformerLens's
    // center_writing_weights makes every vector mean-free.
    bool writesResidual() const;
    bool operator==(const GptHookPoint& other) const { return site == other.site && layer == other.layer; }
};

} // namespace featurescope
