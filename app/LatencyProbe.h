#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

// Measures how long the GUI event loop is blocked: a timer asks to fire every `intervalMs`; any lateness beyond that
// is time the loop could not respond. Used by `featurescope bench --only gui`.
class LatencyProbe : public QObject {
    Q_OBJECT
public:
    explicit LatencyProbe(int intervalMs = 5, QObject* parent = nullptr);

    void start();
    void stop();
    double maxStallMs() const { return m_maxStallMs; }
    int stallsOver(double ms) const;
    int samples() const { return int(m_stalls.size()); }

private:
    void tick();

    int m_intervalMs;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    double m_maxStallMs = 0.0;
    std::vector<double> m_stalls;
};
