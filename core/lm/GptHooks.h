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
    void call(const GptHookPoint& point, RowMatrixMap activation, int batch, int tokens) const
    {
        for (const Entry& e : m_entries)
            if (e.point == point)
                e.callback(activation, batch, tokens);
    }

private:
    struct Entry {
        GptHookPoint point;
        Callback callback;
    };
    std::vector<Entry> m_entries;
};

} // namespace featurescope
