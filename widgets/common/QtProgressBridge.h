#pragma once

#include "common/ProgressReporter.h"

#include <QObject>

#include <atomic>
#include <chrono>
#include <memory>

// Connects a core ProgressReporter (called on a worker thread) to Qt: progress arrives as a queued signal, at most
// every 50 ms so a fast loop cannot flood the event queue; cancel() is safe from the GUI thread.
class QtProgressBridge : public QObject {
    Q_OBJECT
public:
    explicit QtProgressBridge(QObject* parent = nullptr);

    featurescope::ProgressReporter* reporter() { return m_reporter.get(); }
    void cancel() { m_reporter->cancel(); }
    bool isCancelled() const { return m_reporter->isCancelled(); }
    // A fresh reporter for the next job (a cancelled one stays cancelled).
    void reset();

Q_SIGNALS:
    void progress(double fraction, const QString& message);

private:
    std::unique_ptr<featurescope::ProgressReporter> m_reporter;
    std::atomic<long long> m_lastEmitMs{0};
};
