#pragma once

#include "lm/GptHookPoint.h"
#include "lm/GptWeights.h"

#include <functional>
#include <vector>

namespace featurescope {

// The hooks of one forward pass. Each sees the activation at its point as a [batch * tokens, width] row-major
// matrix (row b * tokens + t) and may read it or overwrite it in place: what it leaves there is what the rest of
// the model computes with (the SAE splice and steering replace activations this way).
class GptHooks {
public:
    using Callback = std::function<void(RowMatrixMap activation, int batch, int tokens)>;

    void add(const GptHookPoint& point, Callback callback) { m_entries.push_back({point, std::move(callback)}); }
    bool empty() const { return m_entries.empty(); }
    bool has(const GptHookPoint& point) const
    {
        for (const Entry& e : m_entries)
            if (e.point == point)
                return true;
        return false;
    }

    // TransformerLens's processing as the hooks see it (see TransformerLensProcessing). With centring, a hook on a
    // residual-stream site gets each vector minus its mean, and the centred vector is what flows on: the mean only
    // ever reaches LayerNorms, which remove it, so the model's output is unchanged.
    void setCenterResidual(bool on) { m_centerResidual = on; }
    // With folding, ln_final.hook_normalized sees (and may replace) the normalised vector before ln_f's gain and bias.
    void setFoldFinalNorm(bool on) { m_foldFinalNorm = on; }
    bool foldsFinalNorm() const { return m_foldFinalNorm; }

    void call(const GptHookPoint& point, RowMatrixMap activation, int batch, int tokens) const
    {
        bool centred = !m_centerResidual || !point.writesResidual();
        for (const Entry& e : m_entries)
            if (e.point == point) {
                if (!centred) {
                    activation.colwise() -= activation.rowwise().mean();
                    centred = true;
                }
                e.callback(activation, batch, tokens);
            }
    }

private:
    struct Entry {
        GptHookPoint point;
        Callback callback;
    };
    std::vector<Entry> m_entries;
    bool m_centerResidual = false;
    bool m_foldFinalNorm = false;
};

} // namespace featurescope
