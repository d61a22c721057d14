#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace featurescope {

// Passed into every long computation in core: it reports progress through a callback and polls a cancel flag.
// The GUI sets the flag from its thread; core never blocks on the GUI (the idea of QGIS's QgsFeedback).
//
// A stage maps the fractions of one part of a job into a range of its parent's and sees the parent's cancel flag, so
// an experiment can hand "0 to 35 %" to the MLP trainer without the trainer knowing it is part of something larger.
class ProgressReporter {
public:
    using Callback = std::function<void(double fraction, const std::string& message)>;

    ProgressReporter() = default;
    explicit ProgressReporter(Callback callback) : m_callback(std::move(callback)) {}
    // A stage of `parent` covering [from, to] of its progress. The parent must outlive the stage.
    ProgressReporter(const ProgressReporter& parent, double from, double to)
        : m_parent(&parent), m_from(from), m_to(to)
    {
    }
    // The same, with "<prefix>: " before each message, so a stage can say which part of the job it is (an
    // experiment's arm) while the code it runs reports only what it does ("training SAE").
    ProgressReporter(const ProgressReporter& parent, double from, double to, std::string prefix)
        : m_parent(&parent), m_from(from), m_to(to), m_prefix(std::move(prefix))
    {
    }
    ProgressReporter(const ProgressReporter&) = delete;
    ProgressReporter& operator=(const ProgressReporter&) = delete;

    void report(double fraction, const std::string& message = {}) const
    {
        if (m_parent)
            m_parent->report(m_from + (m_to - m_from) * fraction,
                             m_prefix.empty() || message.empty() ? message : m_prefix + ": " + message);
        else if (m_callback)
            m_callback(fraction, message);
    }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const
    {
        return m_cancelled.load(std::memory_order_relaxed) || (m_parent && m_parent->isCancelled());
    }

private:
    Callback m_callback;
    const ProgressReporter* m_parent = nullptr;
    double m_from = 0.0;
    double m_to = 1.0;
    std::string m_prefix;
    std::atomic<bool> m_cancelled{false};
};

} // namespace featurescope
