#include "QtProgressBridge.h"

QtProgressBridge::QtProgressBridge(QObject* parent) : QObject(parent) { reset(); }

void QtProgressBridge::reset()
{
    m_reporter = std::make_unique<featurescope::ProgressReporter>([this](double fraction, const std::string& message) {
        using namespace std::chrono;
        const long long now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
        if (fraction < 1.0 && now - m_lastEmitMs.load() < 50)
            return;
        m_lastEmitMs = now;
        Q_EMIT progress(fraction, QString::fromStdString(message));
    });
}
