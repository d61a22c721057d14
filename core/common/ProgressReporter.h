#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace featurescope {

// Passed into every long computation in core: it reports progress through a callback and polls a cancel flag.
// The GUI sets the flag from its thread; core never blocks on the GUI (the idea of QGIS's QgsFeedback).
class ProgressReporter {
public:
    using Callback = std::function<void(double fraction, const std::string& message)>;

    ProgressReporter() = default;
    explicit ProgressReporter(Callback callback) : m_callback(std::move(callback)) {}

    void report(double fraction, const std::string& message = {}) const
    {
        if (m_callback)
            m_callback(fraction, message);
    }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    Callback m_callback;
    std::atomic<bool> m_cancelled{false};
};

} // namespace featurescope
