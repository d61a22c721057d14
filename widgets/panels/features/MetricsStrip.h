#pragma once

#include "FeatureSnapshot.h"

#include <QWidget>

class QLabel;

// A row of the dictionary's quality numbers (L0, MSE, variance explained, dead %, dense %, MMCS, label purity), the
// training step and where the numbers come from (live subset while training, full evaluation set at the end).
class MetricsStrip : public QWidget {
    Q_OBJECT
public:
    enum Metric { L0, Mse, Variance, Dead, Dense, Mmcs, Purity, MetricCount };

    explicit MetricsStrip(QWidget* parent = nullptr);

    void setSnapshot(const FeatureSnapshot& snapshot);
    void clear();
    QString valueText(Metric metric) const;
    QString footnote() const;

private:
    QLabel* m_names[MetricCount] = {};
    QLabel* m_values[MetricCount] = {};
    QLabel* m_footnote = nullptr;
};
