#pragma once

#include "plots/QCustomPlotInclude.h"

// Ticks for a logarithmic axis that stay labelled however short the range: at 1, 2 and 5 times each power of ten
// (only the powers of ten when that would give more than ten ticks), so a range within one decade still gets labels,
// which QCPAxisTickerLog leaves bare there.
class LogNiceTicker : public QCPAxisTicker {
protected:
    QVector<double> createTickVector(double tickStep, const QCPRange& range) override;
    int getSubTickCount(double tickStep) override;
};
