#include "LatencyProbe.h"

#include <algorithm>

LatencyProbe::LatencyProbe(int intervalMs, QObject* parent) : QObject(parent), m_intervalMs(intervalMs)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &LatencyProbe::tick);
}

void LatencyProbe::start()
{
    m_stalls.clear();
    m_maxStallMs = 0.0;
    m_clock.start();
    m_lastNs = m_clock.nsecsElapsed();
    m_timer.start();
}

void LatencyProbe::stop() { m_timer.stop(); }

void LatencyProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double stall = std::max(0.0, (now - m_lastNs) / 1e6 - m_intervalMs);
    m_lastNs = now;
    m_stalls.push_back(stall);
    m_maxStallMs = std::max(m_maxStallMs, stall);
}

int LatencyProbe::stallsOver(double ms) const
{
    return int(std::count_if(m_stalls.begin(), m_stalls.end(), [ms](double s) { return s > ms; }));
}
